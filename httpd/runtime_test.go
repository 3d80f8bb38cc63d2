package httpd

import "github.com/ditstar/ditstar/integration"

// The runtime must keep implementing what the server serves.
var _ Integration = (*integration.Runtime)(nil)

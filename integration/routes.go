package integration

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ditstar/ditstar/builtins"
)

// routePattern turns a url_suffix into the httprouter pattern that httpd
// serves it on.
func routePattern(suffix string) string {
	return builtins.RoutePattern(suffix)
}

// RouteParams is the set of regular expressions that the parameters of one
// webhook route must match in full, from its "{name:regex}" segments.
type RouteParams struct {
	params []routeParam
}

type routeParam struct {
	name   string
	source string
	re     *regexp.Regexp
}

// routeParams returns the checks of the url_suffix's parameters, or nil
// when no parameter has a regular expression. A final "{name:.*}" needs no
// check. Registration has already compiled each regex, so a regex that
// fails to compile here is skipped.
func routeParams(suffix string) *RouteParams {
	var params []routeParam
	for _, seg := range strings.Split(suffix, "/") {
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			continue
		}
		name, pattern, hasPattern := strings.Cut(seg[1:len(seg)-1], ":")
		if !hasPattern || pattern == ".*" {
			continue
		}
		re, err := builtins.CompileRouteRegexp(pattern)
		if err != nil {
			continue
		}
		params = append(params, routeParam{name: name, source: pattern, re: re})
	}
	if len(params) == 0 {
		return nil
	}
	return &RouteParams{params: params}
}

// Check returns an error that names the first parameter whose value does not
// match its regular expression. A nil *RouteParams accepts every value.
// The values are those of request.match_info, so a catch-all value has no
// leading "/".
func (p *RouteParams) Check(values map[string]string) error {
	if p == nil {
		return nil
	}
	for _, param := range p.params {
		value := values[param.name]
		if !param.re.MatchString(value) {
			return fmt.Errorf("route parameter %s: value %q does not match the regular expression %q", param.name, value, param.source)
		}
	}
	return nil
}

package dit

// Size limits for the files a package read loads whole into memory. Each
// read also rejects a file that is not regular, because opening a named
// pipe blocks and a device may never end.
const (
	// maxConfigSize caps the metadata and the instance configuration. Both
	// are hand-written YAML of a few kilobytes.
	maxConfigSize = 16 << 20
	// maxDARFileSize caps a DAR file. It equals ledger/lf's cap on the
	// decoded size of a DAR's entries.
	maxDARFileSize = 256 << 20
	// maxPackageSize caps a .dit zip file, which holds the scripts and
	// several DARs.
	maxPackageSize = 1 << 30
)

// Package fsutil reads configuration and input files safely: only regular
// files, and only up to a size limit.
//
// os.ReadFile on a named pipe (FIFO) blocks until a writer appears, and on a
// device such as /dev/zero never ends, so a mistyped path would hang the
// program or exhaust its memory. The functions here check the file first.
package fsutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped by the error for a path that is a directory,
// named pipe, socket, device or other special file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error for a file over the size limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads the file at path, following symbolic links. It rejects a
// path that is not a regular file, and a file over maxBytes, without
// reading it. Both errors name the path.
//
// NOTE: the file is checked with a stat before it is opened, so a path
// replaced by a FIFO between the two calls still blocks the open.
func ReadFile(path string, maxBytes int64) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkInfo(path, info, maxBytes); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(path, f, maxBytes)
}

// ReadFileFS is ReadFile for the file name in fsys. For os.DirFS the stat
// follows symbolic links as ReadFile does.
func ReadFileFS(fsys fs.FS, name string, maxBytes int64) ([]byte, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if err := checkInfo(name, info, maxBytes); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readCapped(name, f, maxBytes)
}

// checkInfo rejects a file that is not regular or is over maxBytes.
func checkInfo(path string, info fs.FileInfo, maxBytes int64) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is a %s, %w", path, fileKind(info.Mode()), ErrNotRegular)
	}
	if info.Size() > maxBytes {
		return fmt.Errorf("%w: %s is %d bytes, over the limit of %d bytes", ErrTooLarge, path, info.Size(), maxBytes)
	}
	return nil
}

// readCapped reads r to the end, failing once it passes maxBytes, for a
// file that grows after its stat.
func readCapped(path string, r io.Reader, maxBytes int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%w: %s grew over the limit of %d bytes while being read", ErrTooLarge, path, maxBytes)
	}
	return data, nil
}

// fileKind names the kind of a file that is not a regular file.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "directory"
	case mode&fs.ModeNamedPipe != 0:
		return "named pipe"
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

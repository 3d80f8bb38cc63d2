package integration

import (
	"context"
	"crypto/sha256"
	"io/fs"
	"strings"
	"time"
)

// watch polls the package's script files every Options.WatchInterval and
// reloads the script when their digest differs from last. It polls rather than subscribing to
// file system events so that it works for any fs.FS; a .dit zip never
// changes, so watching one does nothing.
func (r *Runtime) watch(ctx context.Context, last [sha256.Size]byte) {
	ticker := time.NewTicker(r.opts.WatchInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		digest := r.scriptDigest()
		if digest == last {
			continue
		}
		last = digest
		r.reload(ctx)
	}
}

// scriptDigest hashes the names and contents of the package's Starlark and
// Python files.
func (r *Runtime) scriptDigest() [sha256.Size]byte {
	h := sha256.New()
	fsys := r.opts.Package.FS
	_ = fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if !strings.HasSuffix(path, ".star") && !strings.HasSuffix(path, ".py") {
			return nil
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil
		}
		h.Write([]byte(path))
		h.Write([]byte{0})
		h.Write(data)
		h.Write([]byte{0})
		return nil
	})
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// reload loads the script again and, when its entrypoint succeeds, swaps
// the new handlers in between two events. The ledger stream and the queued
// events are kept: queue messages go to the new handler of their queue. A
// script that fails to load leaves the old handlers running and puts the
// error in the status. Handlers of the new script start with fresh
// counters, and no sweep runs again: contract_created handlers receive only
// contracts created after the reload.
func (r *Runtime) reload(ctx context.Context) {
	r.log.Info("script changed; reloading")
	if !r.acquire(ctx) {
		return
	}
	defer r.release()
	gen, err := r.loadGeneration(ctx)
	if err != nil {
		r.log.Error("reload failed; the previous handlers keep running", "error", err)
		r.recordRuntimeError(err)
		return
	}
	r.gen.Store(gen)
	r.statusMu.Lock()
	r.errMsg, r.errTime = nil, nil
	r.statusMu.Unlock()
	select {
	case r.reloaded <- struct{}{}:
	default:
	}
	r.log.Info("script reloaded", "generation", gen.id)
}

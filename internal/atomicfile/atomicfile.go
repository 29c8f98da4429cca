// Package atomicfile writes files so that a reader, or a run killed
// mid-write, never sees a half-written file: the bytes go to a synced
// temporary file in the same directory, which is then renamed over the
// target. Every writer of records, tables, figures, feature files and
// synthetic datasets in actrepro goes through it.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// TempPattern is the glob of the temporary files Write leaves behind when
// killed between creating and renaming them (see results.CleanTemp).
const TempPattern = ".*.tmp-*"

// Write writes data to path (mode 0644), creating its directory.
func Write(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: some filesystems refuse to sync directories
		d.Close()
	}
	return nil
}

//go:build !unix

package archive

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDir only creates the lock file where flock is not available: one
// Writer per directory is then the caller's duty.
func lockDir(dir string) (*os.File, error) {
	p := filepath.Join(dir, lockName)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", p, err)
	}
	return f, nil
}

func unlockDir(f *os.File) {
	if f != nil {
		f.Close()
	}
}

//go:build !unix

package index

import (
	"context"
	"os"
	"time"
)

// lockDir is a no-op where flock is missing: bleve's own bolt lock, opened with a
// timeout, still turns a second process away with ErrLocked.
func lockDir(context.Context, string, time.Duration) (*os.File, error) { return nil, nil }

func unlockDir(*os.File) error { return nil }

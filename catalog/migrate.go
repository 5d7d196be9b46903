package catalog

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations is the ordered list of schema steps; step i takes user_version
// from i to i+1.
var migrations = mustLoadMigrations(migrationFS, "migrations")

type migration struct {
	name string
	sql  string
}

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err) // embedded at build time: a failure is a build bug
	}
	return ms
}

func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	var ms []migration
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", n, err)
		}
		ms = append(ms, migration{name: path.Base(n), sql: string(b)})
	}
	return ms, nil
}

// SchemaVersion is the user_version this program writes.
func SchemaVersion() int { return len(migrations) }

// migrate applies the steps the database has not seen, each in its own
// IMMEDIATE transaction together with its user_version bump, so a crash
// leaves the database at a clean step and two processes opening a fresh
// file at once cannot both apply a step.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	for {
		done, err := migrateStep(ctx, db, ms)
		if err != nil || done {
			return err
		}
	}
}

func migrateStep(ctx context.Context, db *sql.DB, ms []migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()

	// Reading the schema first makes a damaged header or schema page fail
	// here, with SQLite's own diagnosis, rather than halfway through a step.
	var objects int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
		return false, fmt.Errorf("read schema: %w", err)
	}
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	switch {
	case v > len(ms):
		return false, fmt.Errorf("%w: version %d, this program knows %d", ErrTooNew, v, len(ms))
	case v == len(ms):
		return true, nil
	case v == 0 && objects > 0:
		return false, fmt.Errorf("database has %d schema objects but no catalog version: not a catalog", objects)
	}
	m := ms[v]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("migration %s: set version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return false, nil
}

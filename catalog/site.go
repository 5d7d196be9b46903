package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Site is a network site as the seeds describe it.
type Site struct {
	Name    string   // "japan", "canada/en"
	Host    string   // "japan.news-pravda.com"
	Display string   // "Pravda Nihon"
	Langs   []string // ISO 639-1
	Country string
	Kind    string // country, language, theme, legacy, ...
}

// SyncSites inserts or updates the given sites. Sites not listed are kept:
// their articles stay in the catalog after a site is retired from the seeds.
func (c *Catalog) SyncSites(ctx context.Context, sites []Site) error {
	return c.upsertAll(ctx, "sync sites", `INSERT INTO sites (name, host, display, langs, country, kind)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET host = excluded.host,
		display = excluded.display, langs = excluded.langs, country = excluded.country, kind = excluded.kind`,
		len(sites), func(i int) ([]any, error) {
			s := sites[i]
			if s.Name == "" {
				return nil, fmt.Errorf("site %d: empty name", i)
			}
			return []any{clip(s.Name, maxShort), clip(s.Host, maxURL), clip(s.Display, maxTitle),
				clip(strings.Join(s.Langs, ","), maxShort), clip(s.Country, maxShort), clip(s.Kind, maxShort)}, nil
		})
}

// Sites lists the known sites by name.
func (c *Catalog) Sites(ctx context.Context) ([]Site, error) {
	var out []Site
	err := eachRow(ctx, c.r, "SELECT name, host, display, langs, country, kind FROM sites ORDER BY name", nil,
		func(rows *sql.Rows) error {
			var s Site
			var langs string
			err := rows.Scan(&s.Name, &s.Host, &s.Display, &langs, &s.Country, &s.Kind)
			if langs != "" {
				s.Langs = strings.Split(langs, ",")
			}
			out = append(out, s)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	return out, nil
}

// OriginInfo is a known origin (outlet, channel, account) from the seeds.
// Its ID is what Origin.ID gives for articles from it.
type OriginInfo struct {
	ID       string
	Kind     string
	Name     string
	Owner    string
	Platform string
	Country  string
	URL      string
}

// SyncOrigins inserts or updates the registry of known origins.
func (c *Catalog) SyncOrigins(ctx context.Context, origins []OriginInfo) error {
	return c.upsertAll(ctx, "sync origins", `INSERT INTO origins (id, kind, name, owner, platform, country, url)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
		owner = excluded.owner, platform = excluded.platform, country = excluded.country, url = excluded.url`,
		len(origins), func(i int) ([]any, error) {
			o := origins[i]
			if o.ID == "" {
				return nil, fmt.Errorf("origin %d: empty id", i)
			}
			return []any{clip(o.ID, maxShort), clip(o.Kind, maxShort), clip(o.Name, maxTitle), clip(o.Owner, maxTitle),
				clip(o.Platform, maxShort), clip(o.Country, maxShort), clip(o.URL, maxURL)}, nil
		})
}

// Origins lists the registry of known origins by id.
func (c *Catalog) Origins(ctx context.Context) ([]OriginInfo, error) {
	var out []OriginInfo
	err := eachRow(ctx, c.r, "SELECT id, kind, name, owner, platform, country, url FROM origins ORDER BY id", nil,
		func(rows *sql.Rows) error {
			var o OriginInfo
			err := rows.Scan(&o.ID, &o.Kind, &o.Name, &o.Owner, &o.Platform, &o.Country, &o.URL)
			out = append(out, o)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list origins: %w", err)
	}
	return out, nil
}

// upsertAll runs one statement per row in one transaction.
func (c *Catalog) upsertAll(ctx context.Context, what, query string, n int, row func(i int) ([]any, error)) error {
	if n > maxBatchLen {
		return fmt.Errorf("%s: %d rows, at most %d at once", what, n, maxBatchLen)
	}
	tx, err := c.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer st.Close()
	for i := range n {
		args, err := row(i)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("%s: row %d: %w", what, i, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

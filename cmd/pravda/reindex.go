package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/ingest"
)

func init() {
	register("reindex", "rebuild the catalog and the search index from the WARC archive alone", runReindex)
}

func runReindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reindex", "[--data DIR] [--index-only]", stderr)
	data := dataFlag(fs)
	var sf seedFlags
	fs.StringVar(&sf.seedsFile, "seeds", "", "seeds registry `FILE`")
	indexOnly := fs.Bool("index-only", false, "keep the catalog; rebuild only the search index from it")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	indexGC()
	reg, err := sf.registry()
	if err != nil {
		return err
	}
	log := logger(stderr, *logLevel, !isTerminal(stderr))
	dbPath := filepath.Join(*data, "catalog.db")
	if !*indexOnly {
		tmp := dbPath + ".rebuild"
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suffix)
		}
		cat, err := catalog.Open(ctx, tmp)
		if err != nil {
			return err
		}
		if err := syncSites(ctx, cat, reg); err != nil {
			cat.Close()
			return err
		}
		in := &ingest.Ingester{Registry: reg, Catalog: cat, Log: log}
		n, stored, err := rebuildCatalog(ctx, filepath.Join(*data, "warc"), in)
		if err == nil {
			err = restoreCursors(ctx, cat)
		}
		if err == nil {
			// Trace from the archive: origin pages and chain hops were captured by the
			// live crawl, so the replayed chains are the live ones.
			var rp *archive.Replayer
			if rp, err = archive.NewReplayer(filepath.Join(*data, "warc")); err == nil {
				o := crawlOptions{data: *data, reg: reg, workers: 4, log: log}
				err = traceAfterPass(ctx, o, cat, newTracer(o, cat, rp, in), time.Time{}, nil)
			}
		}
		if cerr := cat.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("rebuild catalog: %w", err)
		}
		// Swap only a complete rebuild in; the old catalog is kept beside it.
		if _, err := os.Stat(dbPath); err == nil {
			if err := os.Rename(dbPath, dbPath+".bak"); err != nil {
				return err
			}
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(dbPath + suffix)
			}
		}
		if err := os.Rename(tmp, dbPath); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "catalog: %d records read, %d article captures stored (old catalog kept as %s.bak)\n", n, stored, filepath.Base(dbPath))
	}
	cat, err := catalog.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer cat.Close()
	idxDir := filepath.Join(*data, "index")
	x, err := openIndex(*data)
	if err != nil {
		return err
	}
	x.Close()
	if err := os.RemoveAll(idxDir); err != nil {
		return err
	}
	if x, err = openIndex(*data); err != nil {
		return err
	}
	defer x.Close()
	if err := cat.Requeue(ctx); err != nil {
		return err
	}
	n, err := index.Sync(ctx, cat, x)
	if err != nil {
		return err
	}
	merged, err := x.MergeClosed(ctx, time.Now(), index.DefaultMergeGrace)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "index: %d articles indexed, %d closed months merged\n", n, len(merged))
	return nil
}

// rebuildCatalog replays every archived article response, in capture order, through the
// same ingest path the crawler uses.
func rebuildCatalog(ctx context.Context, warcDir string, in *ingest.Ingester) (records, stored int, err error) {
	err = archive.Walk(ctx, warcDir, func(r *archive.Record) error {
		records++
		if r.Type != "response" && r.Type != "revisit" {
			return nil
		}
		if _, _, err := in.Registry.Article(r.URL); err != nil {
			return nil // robots.txt, API pages, sitemaps, origin pages
		}
		hdr := http.Header{}
		if resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(r.HTTPHeader)), nil); err == nil {
			hdr = resp.Header
			resp.Body.Close()
		}
		out, err := in.Put(ctx, ingest.Capture{URL: r.URL, Status: r.Status, Header: hdr, Body: r.Payload,
			Record: r.Capture(), Fetched: r.Date})
		if err != nil {
			in.Log.Warn("reindex: record not stored", "url", r.URL, "file", r.File, "offset", r.Offset, "err", err)
			return nil
		}
		if out != 0 {
			stored++
		}
		return nil
	})
	return records, stored, err
}

// restoreCursors sets each id sequence's discovery cursor to the newest id archived, so a
// crawl after a rebuild is incremental again.
func restoreCursors(ctx context.Context, cat *catalog.Catalog) error {
	st, err := cat.Stats(ctx)
	if err != nil {
		return err
	}
	for _, s := range st.Sites {
		if id := s.NewestID; id > 0 {
			if err := cat.SetState(ctx, "cursor/"+s.Site, fmt.Sprint(id)); err != nil {
				return err
			}
		}
	}
	return nil
}

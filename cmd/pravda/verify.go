package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pravda-archive/pravda/archive"
	"github.com/pravda-archive/pravda/catalog"
)

func init() {
	register("verify", "check the archive: every WARC parses independently, every cataloged capture is there with its digest", runVerify)
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", "[--data DIR]", stderr)
	data := dataFlag(fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	problems, err := verify(ctx, *data, stdout)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stdout, "PROBLEM", p)
		}
		fmt.Fprintf(stdout, "verify: %d problem(s)\n", len(problems))
		return exitCode(1)
	}
	fmt.Fprintln(stdout, "verify: OK")
	return nil
}

// verify checks the WARC files with an independent reader, then every catalog version
// against the record it names.
func verify(ctx context.Context, data string, out io.Writer) ([]string, error) {
	warcDir := filepath.Join(data, "warc")
	if _, err := os.Stat(warcDir); err != nil {
		return nil, fmt.Errorf("no archive in %s: %w", data, err)
	}
	rep, err := archive.Verify(ctx, warcDir)
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, p := range rep.Problems {
		problems = append(problems, p.String())
	}
	fmt.Fprintf(out, "warc: %d files, %d records, %d index lines checked\n", rep.Files, rep.Records, rep.IndexLines)
	dbPath := filepath.Join(data, "catalog.db")
	if _, err := os.Stat(dbPath); err != nil {
		return problems, nil
	}
	cat, err := catalog.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	defer cat.Close()
	checked := 0
	err = cat.EachVersion(ctx, func(site string, id int64, v catalog.Version) error {
		checked++
		if v.WARCFile == "" {
			problems = append(problems, fmt.Sprintf("%s:%d v%d: no capture recorded", site, id, v.N))
			return nil
		}
		rec, err := archive.ReadRecord(warcDir, v.WARCFile, v.WARCOffset)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%d v%d: capture %s@%d unreadable: %v", site, id, v.N, v.WARCFile, v.WARCOffset, err))
			return nil
		}
		if got := rec.Header.Get("WARC-Payload-Digest"); got != v.PayloadDigest {
			problems = append(problems, fmt.Sprintf("%s:%d v%d: payload digest %s in the archive, %s in the catalog", site, id, v.N, got, v.PayloadDigest))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "catalog: %d captures checked against the archive\n", checked)
	return problems, nil
}

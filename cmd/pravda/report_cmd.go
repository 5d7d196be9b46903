package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/report"
)

func init() {
	register("report", "daily volume report (per site, language, origin; spikes) from the catalog", runReport)
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "daily" {
		fmt.Fprintln(stderr, "Usage: pravda report daily [flags]   (pravda report daily -h for the flags)")
		return errUsage
	}
	fs := newFlags("report daily", "[--date YYYY-MM-DD] [--zone ZONE] [--format csv|json|md|html|svg] [--out DIR] [--data DIR]", stderr)
	data := dataFlag(fs)
	date := fs.String("date", "", "the day to report, `YYYY-MM-DD` (default: yesterday in --zone)")
	zoneName := fs.String("zone", "UTC", "time `ZONE` whose calendar days are counted (IANA name, e.g. Asia/Tokyo)")
	siteLocal := fs.Bool("site-local", false, "count each article on its site's own calendar day (the date in its URL) instead of --zone's")
	format := fs.String("format", "md", "what to print to stdout: csv, json, md, html or svg")
	out := fs.String("out", "", "write every format into `DIR` as DATE.{csv,json,md,html,svg} instead of printing (the daemon writes to DATA/reports)")
	var sites listFlag
	fs.Var(&sites, "sites", "only these sites (repeatable, comma-separated; exact names)")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	zone, err := time.LoadLocation(*zoneName)
	if err != nil {
		return fmt.Errorf("--zone %q: %w", *zoneName, err)
	}
	day := time.Now().In(zone).AddDate(0, 0, -1)
	if *date != "" {
		if day, err = time.Parse("2006-01-02", *date); err != nil {
			return fmt.Errorf("--date %q: want YYYY-MM-DD", *date)
		}
	}
	writers := map[string]func(*report.Day, io.Writer) error{
		"csv": (*report.Day).WriteCSV, "json": (*report.Day).WriteJSON, "md": (*report.Day).WriteMarkdown,
		"html": (*report.Day).WriteHTML, "svg": (*report.Day).WriteSVG,
	}
	if _, ok := writers[*format]; !ok && *out == "" {
		return fmt.Errorf("--format %q: want csv, json, md, html or svg", *format)
	}
	dbPath := filepath.Join(*data, "catalog.db")
	if _, err := os.Stat(dbPath); err != nil {
		return fmt.Errorf("no catalog in %s: %w", *data, err)
	}
	// The catalog, unlike the index, admits other processes while the daemon runs.
	cat, err := catalog.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer cat.Close()
	d, err := report.Daily(ctx, cat, day, report.Options{Zone: zone, SiteLocal: *siteLocal, Sites: sites})
	if err != nil {
		return err
	}
	if *out == "" {
		return writers[*format](d, stdout)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	for _, ext := range []string{"csv", "json", "md", "html", "svg"} {
		var buf bytes.Buffer
		if err := writers[ext](d, &buf); err != nil {
			return err
		}
		p := filepath.Join(*out, d.Date+"."+ext)
		if err := writeFileAtomic(p, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintln(stdout, p)
	}
	return nil
}

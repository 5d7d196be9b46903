package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/pravda-archive/pravda/crawler"
	"github.com/pravda-archive/pravda/seeds"
)

// newFlags makes a flag set that prints its usage to stderr and returns errors.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: pravda %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may stand before, between or after positional arguments
// (`pravda extract page.html --json`), which the flag package alone does not allow.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// listFlag is a repeatable flag; each value may also hold a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

// resolveFlag is a repeatable --resolve PATTERN=ADDR.
type resolveFlag []crawler.Resolve

func (r *resolveFlag) String() string {
	var s []string
	for _, x := range *r {
		s = append(s, x.Pattern+"="+x.Addr)
	}
	return strings.Join(s, " ")
}
func (r *resolveFlag) Set(v string) error {
	x, err := crawler.ParseResolve(v)
	if err != nil {
		return err
	}
	*r = append(*r, x)
	return nil
}

// fetchFlags are taken by every command that fetches.
type fetchFlags struct {
	resolve resolveFlag
	ca      string
}

func (f *fetchFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.resolve, "resolve", "connect hosts matching PATTERN to ADDR (repeatable; `PATTERN=ADDR`, * matches any host, e.g. *=127.0.0.1:8443)")
	fs.StringVar(&f.ca, "ca", "", "extra CA certificate `FILE` to trust (the simulator writes one with --ca-out)")
}

func (f *fetchFlags) dialer() *crawler.Dialer {
	return &crawler.Dialer{Resolves: f.resolve}
}

// seedFlags choose the registry and the sites.
type seedFlags struct {
	seedsFile string
	sites     listFlag
}

func (f *seedFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.seedsFile, "seeds", "", "seeds registry `FILE` (YAML) replacing the embedded one")
	fs.Var(&f.sites, "sites", "sites to work on, by name or host (repeatable, comma-separated; default: all active)")
}

func (f *seedFlags) registry() (*seeds.Registry, error) {
	if f.seedsFile == "" {
		return seeds.Default(), nil
	}
	return seeds.Load(f.seedsFile)
}

// dataFlag is the data directory shared by every command that reads or writes the archive.
func dataFlag(fs *flag.FlagSet) *string {
	def := os.Getenv("PRAVDA_DATA")
	if def == "" {
		def = "data"
	}
	return fs.String("data", def, "data `DIR` (warc/, catalog.db, index/, reports/); env PRAVDA_DATA")
}

func mkdata(dir string) error {
	for _, sub := range []string{"warc", "reports"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
	}
	return nil
}

// logger writes structured logs to stderr: text on a terminal, JSON otherwise.
func logger(stderr io.Writer, level string, json bool) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if json {
		return slog.New(slog.NewJSONHandler(stderr, opts))
	}
	return slog.New(slog.NewTextHandler(stderr, opts))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/eval"
)

func init() {
	register("eval", "score origins and story groups in the catalog against a truth file (the simulator's)", runEval)
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("eval", "--truth FILE [--data DIR] [--json]", stderr)
	data := dataFlag(fs)
	truthFile := fs.String("truth", "", "ground truth `FILE`: JSON lines, as `pravda sim --truth` writes them")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *truthFile == "" {
		fs.Usage()
		return errUsage
	}
	f, err := os.Open(*truthFile)
	if err != nil {
		return fmt.Errorf("truth: %w", err)
	}
	defer f.Close()
	truth, err := eval.ReadTruth(f)
	if err != nil {
		return err
	}
	cat, err := openCatalog(ctx, *data)
	if err != nil {
		return err
	}
	defer cat.Close()
	rep, err := eval.Evaluate(ctx, cat, truth)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, rep)
	}
	return rep.WriteTable(stdout)
}

// openCatalog opens the catalog of an existing data directory; unlike crawl it does not
// create one where there is none.
func openCatalog(ctx context.Context, data string) (*catalog.Catalog, error) {
	p := filepath.Join(data, "catalog.db")
	if _, err := os.Stat(p); err != nil {
		return nil, fmt.Errorf("no catalog in %s (crawl first): %w", data, err)
	}
	return catalog.Open(ctx, p)
}

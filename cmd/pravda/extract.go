package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/pravda-archive/pravda/extract"
	"github.com/pravda-archive/pravda/origin"
)

func init() {
	register("extract", "extract one saved page into a JSON record (article fields, source, origin)", runExtract)
}

func runExtract(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("extract", "FILE.html [--url URL] [--json]", stderr)
	pageURL := fs.String("url", "", "the `URL` the page was fetched from (default: its canonical link)")
	_ = fs.Bool("json", true, "print JSON (the only format)")
	var sf seedFlags
	fs.StringVar(&sf.seedsFile, "seeds", "", "seeds registry `FILE`")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	reg, err := sf.registry()
	if err != nil {
		return err
	}
	var data []byte
	if pos[0] == "-" {
		data, err = io.ReadAll(io.LimitReader(os.Stdin, int64(extract.MaxSize)+1))
	} else {
		data, err = readCapped(pos[0], int64(extract.MaxSize))
	}
	if err != nil {
		return err
	}
	art, err := extract.Any(data, *pageURL, reg)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	var o origin.Origin
	if art.Source != nil {
		o = origin.Classify(reg, art.Source.URL, art.Source.Title)
	} else {
		o = origin.Classify(reg, "", "")
	}
	return writeJSON(stdout, withOrigin(art, o))
}

func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return b, nil
}

// withOrigin appends the classified origin to the extractor's record, keeping its field
// order (extract.Article has its own MarshalJSON, which embedding would hide fields behind).
func withOrigin(art *extract.Article, o origin.Origin) json.RawMessage {
	a, err := json.Marshal(art)
	if err != nil {
		return nil
	}
	ob, err := json.Marshal(o)
	if err != nil || len(a) < 2 {
		return a
	}
	return json.RawMessage(append(append(append(a[:len(a)-1:len(a)-1], `,"origin":`...), ob...), '}'))
}

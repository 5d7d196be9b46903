package archive

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// resolver finds the original of a revisit record: through the CDXJ index
// by URL and record id or digest, else by scanning the WARC files written up
// to the revisit's refers-to date.
type resolver struct {
	dir string
}

func (res *resolver) resolve(ctx context.Context, rec *Record) {
	rec.Incomplete = true
	id := rec.Header.Get(hRefersTo)
	uri := rec.Header.Get(hRefersToURI)
	if uri == "" {
		uri = rec.URL
	}
	digest := rec.Header.Get(hPayloadDigest)
	match := func(c Capture) bool {
		if c.Revisit || c.Truncated {
			return false
		}
		if id != "" {
			return c.RecordID == id
		}
		return c.URL == uri && c.PayloadDigest == digest
	}
	var orig *Record
	if caps, err := (&Index{dir: res.dir}).Lookup(uri); err == nil {
		for i := len(caps) - 1; i >= 0 && orig == nil; i-- {
			if c := caps[i]; match(c) {
				if o, err := readAt(res.dir, c.File, c.Offset); err == nil && o.ID != "" && (id == "" || o.ID == id) {
					orig = o
				}
			}
		}
	}
	if orig == nil {
		orig = res.scan(ctx, rec, id, uri, digest)
	}
	if orig == nil || orig.Type != "response" || orig.Header.Get(hPayloadDigest) != digest {
		return
	}
	c := orig.Capture()
	rec.RefersTo = &c
	rec.Payload, rec.Incomplete = orig.Payload, orig.Incomplete
}

// scan looks for the original record in the files that can hold it: those
// created no later than the refers-to date, newest first. It is the slow
// path for an archive whose index is missing.
func (res *resolver) scan(ctx context.Context, rec *Record, id, uri, digest string) *Record {
	files, err := listWARCs(res.dir)
	if err != nil {
		return nil
	}
	limit := "99999999999999"
	if t, err := time.Parse(time.RFC3339Nano, rec.Header.Get(hRefersToDate)); err == nil {
		limit = t.UTC().Format(cdxjTime)
	}
	for i := len(files) - 1; i >= 0; i-- {
		wf := files[i]
		if wf.stamp != "" && wf.stamp > limit {
			continue
		}
		var found *Record
		stop := errors.New("found")
		err := walkFile(ctx, res.dir, wf, nil, func(r *Record) error {
			if r.Type != "response" {
				return nil
			}
			if (id != "" && r.ID == id) || (id == "" && r.URL == uri && r.Header.Get(hPayloadDigest) == digest) {
				found = r
				return stop
			}
			return nil
		})
		if found != nil {
			return found
		}
		if err != nil && err != stop {
			slog.Debug("archive: scan for revisit original", "file", wf.name, "err", err)
		}
	}
	return nil
}

package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// repairDir closes what a crash left open and makes sure every closed WARC
// file has its index. It must run under the directory lock.
func repairDir(ctx context.Context, dir string, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read dir %s: %w", dir, err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), cdxjExt+".tmp") {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
	files, err := listWARCs(dir)
	if err != nil {
		return err
	}
	for _, wf := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := wf.closedName()
		if wf.open {
			kept, err := repairFile(dir, wf.name, log)
			if err != nil {
				return err
			}
			if !kept {
				os.Remove(filepath.Join(dir, indexName(name)+openSuffix))
				continue
			}
		}
		if _, err := os.Stat(filepath.Join(dir, indexName(name))); err == nil {
			continue
		}
		if err := rebuildIndex(ctx, dir, name, log); err != nil {
			return err
		}
		os.Remove(filepath.Join(dir, indexName(name)+openSuffix))
		log.Info("archive: rebuilt index", "file", name)
	}
	// Indexes of WARC files that no longer exist.
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, cdxjExt+openSuffix) {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(n, openSuffix), cdxjExt)
		if _, err := os.Stat(filepath.Join(dir, base+warcExt+openSuffix)); os.IsNotExist(err) {
			os.Remove(filepath.Join(dir, n))
		}
	}
	syncDir(dir)
	return nil
}

// repairFile cuts an .open WARC file back to its last complete record and
// closes it. A record is complete when its gzip member and its block are
// whole and its block digest matches; a request record whose response was
// cut off goes too. kept is false when nothing but the warcinfo remained
// and the file was removed.
func repairFile(dir, name string, log *slog.Logger) (kept bool, err error) {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Errorf("repair %s: %w", name, err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("repair %s: %w", name, err)
	}
	var (
		mr        = newMemberReader(f, 0)
		good      int64 // end of the last complete record
		lastStart int64
		lastType  string
		records   int
		problem   error
	)
	for {
		at := mr.pos()
		raw, err := mr.next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = checkBlockDigest(raw)
		}
		if err != nil {
			problem = fmt.Errorf("at offset %d: %w", at, err)
			break
		}
		lastStart, lastType = at, raw.fields.Get(hType)
		good = mr.pos()
		records++
	}
	if lastType == "request" {
		good = lastStart
		records--
	}
	if records <= 1 { // at most the warcinfo
		f.Close()
		f = nil
		if err := os.Remove(path); err != nil {
			return false, fmt.Errorf("repair %s: %w", name, err)
		}
		log.Warn("archive: removed WARC file left open with no complete record", "file", name, "bytes", fi.Size(), "problem", problem)
		return false, nil
	}
	if good < fi.Size() {
		if err := f.Truncate(good); err != nil {
			return false, fmt.Errorf("repair %s: truncate: %w", name, err)
		}
		log.Warn("archive: cut incomplete record from WARC file left open",
			"file", name, "kept_bytes", good, "dropped_bytes", fi.Size()-good, "records", records, "problem", problem)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		f = nil
		return false, fmt.Errorf("repair %s: %w", name, err)
	}
	f = nil
	final := filepath.Join(dir, strings.TrimSuffix(name, openSuffix))
	if err := os.Rename(path, final); err != nil {
		return false, fmt.Errorf("repair %s: %w", name, err)
	}
	log.Info("archive: closed WARC file left open", "file", filepath.Base(final), "records", records)
	return true, nil
}

// checkBlockDigest compares a sha1 WARC-Block-Digest with the block.
func checkBlockDigest(raw *rawRecord) error {
	want := raw.fields.Get(hBlockDigest)
	if raw.blockCut || !strings.HasPrefix(strings.ToLower(want), digestPrefix) {
		return nil
	}
	if got := digestOf(raw.block); !strings.EqualFold(got, want) {
		return fmt.Errorf("block digest %s, want %s", got, want)
	}
	return nil
}

// entryOf is the index entry of a stored record, or false for records the
// index leaves out (warcinfo, request, metadata).
func entryOf(raw *rawRecord, file string) (indexEntry, bool) {
	h := raw.fields
	e := indexEntry{Capture: Capture{
		URL: h.Get(hTargetURI), File: file, Offset: raw.offset, Length: raw.length,
		RecordID: h.Get(hRecordID), PayloadDigest: h.Get(hPayloadDigest),
	}, truncated: h.Get(hTruncated)}
	e.Truncated = e.truncated != ""
	e.Time, _ = time.Parse(time.RFC3339Nano, h.Get(hDate))
	switch h.Get(hType) {
	case "response", "revisit":
		e.Revisit = h.Get(hType) == "revisit"
		if _, resp := parseHTTPHead(raw.block); resp != nil {
			e.Status = resp.StatusCode
			e.MIME = mediaType(resp.Header.Get("Content-Type"))
		}
	case "resource":
		e.Status, e.MIME = 200, mediaType(h.Get(hContentType))
	default:
		return e, false
	}
	return e, true
}

// rebuildIndex writes the index of a closed WARC file from the file alone.
func rebuildIndex(ctx context.Context, dir, name string, log *slog.Logger) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("index %s: %w", name, err)
	}
	defer f.Close()
	sorter := newIndexSorter(dir, name)
	defer sorter.discard()
	mr := newMemberReader(f, 0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		at := mr.pos()
		raw, err := mr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			// Index what can be read; Verify reports the damage.
			log.Warn("archive: index stops at unreadable record", "file", name, "offset", at, "err", err)
			break
		}
		if e, ok := entryOf(raw, name); ok {
			sorter.add(cdxjLine(e))
		}
	}
	if err := sorter.finish(); err != nil {
		return fmt.Errorf("index %s: %w", name, err)
	}
	return nil
}

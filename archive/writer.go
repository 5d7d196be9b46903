package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrClosed is returned by a Writer, or its Transport, after Close.
var ErrClosed = errors.New("archive: writer closed")

// Writer appends records to the WARC files of one directory. It is safe for
// concurrent use; writes are serialized and each is on disk (written, not
// necessarily fsynced) before the call that made it returns.
type Writer struct {
	dir  string
	cfg  config
	log  *slog.Logger
	lock *os.File

	mu       sync.Mutex
	closed   bool
	broken   error    // a failed write that could not be undone: refuse further writes
	f        *os.File // current .open file; nil until the first write
	name     string   // its closed name
	size     int64
	records  int          // records after the warcinfo
	idx      *os.File     // current .cdxj.open, may be nil if it could not be made
	sorter   *indexSorter // the current file's index lines, sorted on close
	serial   int
	unsynced int
	seen     *dedupeSet
}

// Open opens (creating if needed) the WARC directory dir for writing. It
// takes an exclusive lock on the directory, repairs files left open by a
// crash, rebuilds missing CDXJ indexes and loads the payload digests used to
// deduplicate. The first WARC file is created on the first write.
func Open(dir string, opts ...Option) (*Writer, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	w := &Writer{dir: dir, cfg: cfg, log: cfg.logger, lock: lock, seen: newDedupeSet(cfg.dedupeLimit)}
	if err := repairDir(context.Background(), dir, w.log); err != nil {
		unlockDir(lock)
		return nil, err
	}
	files, err := listWARCs(dir)
	if err != nil {
		unlockDir(lock)
		return nil, err
	}
	for _, f := range files {
		w.serial = max(w.serial, f.serial)
	}
	if cfg.dedupe {
		if err := w.loadDigests(); err != nil {
			unlockDir(lock)
			return nil, err
		}
	}
	return w, nil
}

// Dir returns the directory the Writer writes to.
func (w *Writer) Dir() string { return w.dir }

// loadDigests fills the dedupe set from the indexes of the newest files, as
// many as hold its limit: reading every index of a years-old archive at each
// Open would cost more than the revisits it finds.
func (w *Writer) loadDigests() error {
	ix := &Index{dir: w.dir}
	names, err := ix.indexFiles()
	if err != nil {
		return fmt.Errorf("load digests: %w", err)
	}
	first, lines := len(names), 0
	for first > 0 && lines < w.seen.limit {
		first--
		n, err := countLines(w.dir, names[first])
		if err != nil {
			return fmt.Errorf("load digests: %w", err)
		}
		lines += n
	}
	for c, err := range ix.captures(names[first:]) {
		if err != nil {
			return fmt.Errorf("load digests: %w", err)
		}
		if !c.Revisit && !c.Truncated && c.RecordID != "" && c.PayloadDigest != "" && c.PayloadDigest != emptyDigest {
			w.seen.remember(c.URL, c.PayloadDigest, c.RecordID, c.Time)
		}
	}
	return nil
}

// countLines counts the lines of an index file as indexFiles names it.
func countLines(dir, name string) (int, error) {
	f, _, err := openIndexFile(dir, name)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, nil
		}
		return 0, err
	}
	defer f.Close()
	n := 0
	buf := make([]byte, 256<<10)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func (w *Writer) remember(url, digest, id string, date time.Time) {
	w.seen.remember(url, digest, id, date)
}

// original returns the earlier response with this URL and payload digest.
func (w *Writer) original(url, digest string) (dedupeRef, bool) {
	d, ok := digestBytes(digest)
	if !w.cfg.dedupe || !ok || digest == emptyDigest {
		return dedupeRef{}, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen.original(url, d)
}

// pending is one compressed record waiting to be written.
type pending struct {
	member []byte
	entry  *indexEntry // nil for records not indexed (request, warcinfo)
	dedupe bool        // a complete response whose digest later fetches may refer to
}

// commit writes records next to each other in one file, with one write so
// a crash leaves at most the tail of that write to repair, and indexes them.
// It fills in File, Offset and Length of each entry.
func (w *Writer) commit(recs ...pending) error {
	total := int64(0)
	for _, r := range recs {
		total += int64(len(r.member))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	if w.broken != nil {
		return fmt.Errorf("archive: writer unusable after failed write: %w", w.broken)
	}
	if w.f != nil && w.records > 0 && w.size+total > w.cfg.maxFileSize {
		if err := w.closeFile(); err != nil {
			return err
		}
	}
	if w.f == nil {
		if err := w.newFile(); err != nil {
			return err
		}
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	off := w.size
	for _, r := range recs {
		if r.entry != nil {
			r.entry.File = w.name
			r.entry.Offset = off
			r.entry.Length = int64(len(r.member))
		}
		off += int64(len(r.member))
		buf.Write(r.member)
	}
	if _, err := w.f.Write(buf.Bytes()); err != nil {
		w.undo(err)
		return fmt.Errorf("write %s: %w", w.name, err)
	}
	w.size = off
	w.records += len(recs)
	var lines []byte
	for _, r := range recs {
		if r.entry == nil {
			continue
		}
		line := cdxjLine(*r.entry)
		w.sorter.add(line)
		lines = append(lines, line...)
		if r.dedupe {
			w.remember(r.entry.URL, r.entry.PayloadDigest, r.entry.RecordID, r.entry.Time)
		}
	}
	if w.idx != nil && len(lines) > 0 {
		if _, err := w.idx.Write(lines); err != nil {
			// The index is derived: it is rewritten from memory on close and
			// rebuilt from the WARC after a crash.
			w.log.Warn("archive: append to index failed", "file", w.name, "err", err)
		}
	}
	if w.cfg.syncEvery > 0 {
		if w.unsynced++; w.unsynced >= w.cfg.syncEvery {
			w.unsynced = 0
			if err := w.f.Sync(); err != nil {
				return fmt.Errorf("sync %s: %w", w.name, err)
			}
		}
	}
	return nil
}

// undo cuts a partly written record off; if even that fails the file can
// no longer be trusted and the Writer stops writing.
func (w *Writer) undo(cause error) {
	if err := w.f.Truncate(w.size); err != nil {
		w.broken = errors.Join(cause, err)
		w.log.Error("archive: cannot undo failed write", "file", w.name, "err", w.broken)
	}
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 {
		bufPool.Put(b)
	}
}

// newFile starts the next WARC file with its warcinfo record.
func (w *Writer) newFile() error {
	now := w.cfg.now()
	var (
		f    *os.File
		name string
		err  error
	)
	for range 100 {
		w.serial++
		name = fileName(w.cfg.prefix, now, w.serial)
		f, err = os.OpenFile(filepath.Join(w.dir, name+openSuffix), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if err == nil || !os.IsExist(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("create WARC file: %w", err)
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	w.warcinfo(buf, name, now)
	member := bytes.Buffer{}
	if err := gzipMember(&member, buf.Bytes(), buf.Len()); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(member.Bytes()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("write warcinfo to %s: %w", name, err)
	}
	idx, err := os.OpenFile(filepath.Join(w.dir, indexName(name)+openSuffix), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		w.log.Warn("archive: cannot create index", "file", name, "err", err)
		idx = nil
	}
	w.f, w.name, w.size, w.records, w.idx, w.sorter = f, name, int64(member.Len()), 0, idx, newIndexSorter(w.dir, name)
	w.log.Info("archive: new WARC file", "file", name)
	return nil
}

// closeFile syncs and renames the current file and writes its sorted index.
func (w *Writer) closeFile() error {
	if w.f == nil {
		return nil
	}
	f, name := w.f, w.name
	w.f = nil
	errSync := f.Sync()
	errClose := f.Close()
	if err := errors.Join(errSync, errClose); err != nil {
		w.broken = err
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(filepath.Join(w.dir, name+openSuffix), filepath.Join(w.dir, name)); err != nil {
		w.broken = err
		return fmt.Errorf("close %s: %w", name, err)
	}
	if w.idx != nil {
		w.idx.Close()
		w.idx = nil
	}
	if err := w.sorter.finish(); err != nil {
		// Open rebuilds a missing index from the WARC file.
		w.log.Warn("archive: write index failed", "file", name, "err", err)
	} else {
		os.Remove(filepath.Join(w.dir, indexName(name)+openSuffix))
	}
	syncDir(w.dir)
	w.sorter = nil
	w.log.Info("archive: closed WARC file", "file", name, "bytes", w.size, "records", w.records)
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: not every filesystem can
		d.Close()
	}
}

// warcinfo writes the record that opens every file.
func (w *Writer) warcinfo(buf *bytes.Buffer, name string, now time.Time) {
	var body strings.Builder
	info := Fields{
		{"software", w.cfg.software},
		{"format", "WARC File Format 1.1"},
		{"conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"},
	}
	if host, err := os.Hostname(); err == nil {
		info = append(info, Field{"hostname", host})
	}
	for _, f := range append(info, w.cfg.info...) {
		if f.Value != "" {
			body.WriteString(cleanValue(f.Name) + ": " + cleanValue(f.Value) + "\r\n")
		}
	}
	var h Fields
	h.add(hType, "warcinfo")
	h.add(hRecordID, newRecordID())
	h.add(hDate, warcDate(now))
	h.add(hFilename, name)
	h.add(hContentType, mimeWarcFields)
	marshalRecord(buf, h, []byte(body.String()))
}

// Close closes the current file (fsync, rename, sorted index) and releases
// the directory. Transports made by the Writer fail after Close.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.closeFile()
	unlockDir(w.lock)
	return err
}

// Lookup returns the captures of url (matched by SURT key, so http and https
// and www. variants match too), oldest first.
func (w *Writer) Lookup(url string) ([]Capture, error) {
	return (&Index{dir: w.dir}).Lookup(url)
}

// WriteResource archives body as a resource record, for content that was not
// fetched over HTTP (crawl logs, metadata).
func (w *Writer) WriteResource(ctx context.Context, uri, contentType string, body []byte) (Capture, error) {
	if err := ctx.Err(); err != nil {
		return Capture{}, err
	}
	now := w.cfg.now()
	id := newRecordID()
	digest := digestOf(body)
	var h Fields
	h.add(hType, "resource")
	h.add(hRecordID, id)
	h.add(hDate, warcDate(now))
	h.add(hTargetURI, uri)
	h.add(hPayloadDigest, digest)
	h.add(hContentType, contentType)
	p, err := compress(h, body)
	if err != nil {
		return Capture{}, err
	}
	p.entry = &indexEntry{Capture: Capture{
		URL: uri, Time: now.UTC().Truncate(time.Second), RecordID: id, PayloadDigest: digest,
		Status: 200, MIME: contentType,
	}}
	if err := w.commit(p); err != nil {
		return Capture{}, fmt.Errorf("archive resource %s: %w", uri, err)
	}
	return p.entry.Capture, nil
}

// compress marshals and gzips one record.
func compress(h Fields, block ...[]byte) (pending, error) {
	return compressStoring(h, block, -1)
}

// compressStoring marshals and gzips one record of one block, keeping the
// block's bytes from store on in stored deflate blocks; store < 0 compresses
// everything.
func compressStoring(h Fields, block [][]byte, store int) (pending, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	defer putBuf(buf)
	buf.Reset()
	marshalHead(buf, h, block...)
	parts := make([][]byte, 0, len(block)+2)
	parts = append(parts, buf.Bytes())
	size := buf.Len() + len(recordEnd)
	for _, p := range block {
		parts = append(parts, p)
		size += len(p)
	}
	parts = append(parts, []byte(recordEnd))
	head := size // compressed: the whole record, unless part of its block is not
	if store >= 0 && len(block) == 1 && store <= len(block[0]) {
		head -= len(block[0]) - store + len(recordEnd)
	}
	// Room for the stored part exactly, and a guess for the compressed one (text
	// shrinks three- to tenfold): sizing for the whole record would hold a big
	// page's worth of memory for a member a tenth its size.
	stored := size - head
	if head < minCompress {
		stored, head = size, 0
	}
	var out bytes.Buffer
	out.Grow(len(gzipHeader) + head/3 + 256 + stored + 5*(stored/maxStored+1) + 8)
	if err := gzipParts(&out, parts, head); err != nil {
		return pending{}, err
	}
	return pending{member: out.Bytes()}, nil
}

func (w *Writer) isClosed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}

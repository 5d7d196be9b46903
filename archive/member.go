package archive

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

const (
	maxHeaderBytes = 1 << 20  // WARC or HTTP header block
	maxHeaderLines = 1000     // fields in one WARC header
	maxBlockBytes  = 1 << 28  // block kept in memory when reading a record
	maxPayload     = 64 << 20 // decoded payload returned by ReadRecord and Walk
)

var (
	errNotGzip    = errors.New("not a gzip member")
	errNotWARC    = errors.New("not a WARC record")
	errBadHeader  = errors.New("malformed WARC header")
	errShortBlock = errors.New("record block shorter than Content-Length")
	errTrailer    = errors.New("record does not end with CRLF CRLF")
	errExtra      = errors.New("extra bytes after record in gzip member")
)

// rawRecord is one record as stored: its WARC header and block.
type rawRecord struct {
	offset, length int64 // of the gzip member in the file
	fields         Fields
	block          []byte // at most maxBlockBytes
	blockCut       bool   // Content-Length exceeded maxBlockBytes
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// memberReader reads consecutive records, one gzip member each, and knows
// the compressed offset and length of each.
type memberReader struct {
	base int64
	cr   *countingReader
	br   *bufio.Reader
	zr   *gzip.Reader
	lr   *bufio.Reader
}

func newMemberReader(r io.Reader, offset int64) *memberReader {
	cr := &countingReader{r: r}
	return &memberReader{base: offset, cr: cr, br: bufio.NewReaderSize(cr, 64<<10)}
}

// pos is the file offset of the next unread byte. gzip reads through the
// bufio.Reader byte by byte (it is an io.ByteReader), so it never reads past
// the end of a member.
func (m *memberReader) pos() int64 { return m.base + m.cr.n - int64(m.br.Buffered()) }

// next reads the next record. It returns io.EOF at a clean end of file and
// io.ErrUnexpectedEOF (possibly wrapped) for a member or block cut short.
func (m *memberReader) next() (*rawRecord, error) {
	start := m.pos()
	magic, err := m.br.Peek(2)
	if len(magic) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	if magic[0] != 0x1f || magic[1] != 0x8b {
		return nil, errNotGzip
	}
	if m.zr == nil {
		m.zr, err = gzip.NewReader(m.br)
	} else {
		err = m.zr.Reset(m.br)
	}
	if err != nil {
		return nil, fmt.Errorf("gzip header: %w", eofIsShort(err))
	}
	m.zr.Multistream(false)
	if m.lr == nil {
		m.lr = bufio.NewReaderSize(m.zr, 64<<10)
	} else {
		m.lr.Reset(m.zr)
	}
	rec, err := readRecord(m.lr)
	if err != nil {
		return nil, err
	}
	// Whatever is left must be nothing; reading to EOF checks the CRC.
	n, err := io.Copy(io.Discard, m.lr)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", eofIsShort(err))
	}
	if n > 0 {
		return nil, errExtra
	}
	rec.offset = start
	rec.length = m.pos() - start
	return rec, nil
}

func eofIsShort(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readRecord parses one uncompressed WARC record.
func readRecord(r *bufio.Reader) (*rawRecord, error) {
	budget := maxHeaderBytes
	line, err := readLine(r, &budget)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "WARC/1.") {
		return nil, errNotWARC
	}
	rec := &rawRecord{}
	for {
		line, err = readLine(r, &budget)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		if len(rec.fields) >= maxHeaderLines {
			return nil, fmt.Errorf("%w: too many fields", errBadHeader)
		}
		if line[0] == ' ' || line[0] == '\t' { // continuation line
			if len(rec.fields) == 0 {
				return nil, errBadHeader
			}
			rec.fields[len(rec.fields)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("%w: %q", errBadHeader, truncate(line, 60))
		}
		rec.fields = append(rec.fields, Field{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	cl, err := strconv.ParseInt(rec.fields.Get(hContentLength), 10, 64)
	if err != nil || cl < 0 {
		return nil, fmt.Errorf("%w: Content-Length %q", errBadHeader, rec.fields.Get(hContentLength))
	}
	keep := min(cl, maxBlockBytes)
	var block bytes.Buffer
	n, err := io.Copy(&block, io.LimitReader(r, keep))
	if err != nil {
		return nil, eofIsShort(err)
	}
	if n < keep {
		return nil, fmt.Errorf("%w (%d of %d bytes)", errShortBlock, n, cl)
	}
	if cl > keep {
		rec.blockCut = true
		skipped, err := io.CopyN(io.Discard, r, cl-keep)
		if err != nil {
			return nil, fmt.Errorf("%w (%d of %d bytes)", errShortBlock, keep+skipped, cl)
		}
	}
	rec.block = block.Bytes()
	var tail [4]byte
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", errTrailer, eofIsShort(err))
	}
	if string(tail[:]) != "\r\n\r\n" {
		return nil, errTrailer
	}
	return rec, nil
}

// readLine reads a CRLF (or LF) terminated line within a byte budget.
func readLine(r *bufio.Reader, budget *int) (string, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		*budget -= len(frag)
		if *budget < 0 {
			return "", fmt.Errorf("%w: header too large", errBadHeader)
		}
		line = append(line, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			return "", eofIsShort(err)
		}
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return string(line), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

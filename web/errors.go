package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/index"
	"github.com/pravda-archive/pravda/index/query"
)

// userError is a mistake in the request: a 4xx with a message meant for the
// person who made it.
type userError struct {
	status int
	msg    string
}

func (e *userError) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return &userError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) error {
	return &userError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

// errNoIndex: the server runs without a search index.
var errNoIndex = &userError{http.StatusServiceUnavailable, "no index yet: search is unavailable until the archive has been indexed"}

// problem is an error as a response shows it.
type problem struct {
	Status int    `json:"-"`
	Msg    string `json:"error"`
	// Position is the 0-based character offset of a query syntax error.
	Position *int `json:"position,omitempty"`
}

// classify maps an error to what the client is told. Anything that is not
// the client's mistake is a 500 with a generic message; the detail goes to
// the log.
func (s *Server) classify(r *http.Request, err error) problem {
	var qe *query.Error
	var ue *userError
	switch {
	case errors.As(err, &qe):
		pos := qe.Pos
		return problem{Status: http.StatusBadRequest, Msg: qe.Error(), Position: &pos}
	case errors.As(err, &ue):
		return problem{Status: ue.status, Msg: ue.msg}
	case errors.Is(err, index.ErrBadRequest):
		return problem{Status: http.StatusBadRequest, Msg: err.Error()}
	case errors.Is(err, catalog.ErrNotFound):
		return problem{Status: http.StatusNotFound, Msg: "not found"}
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// The client went away or the request ran out of time.
		return problem{Status: http.StatusServiceUnavailable, Msg: "request cancelled or timed out"}
	}
	s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return problem{Status: http.StatusInternalServerError, Msg: "internal error"}
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	p := s.classify(r, err)
	writeJSON(w, p.Status, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

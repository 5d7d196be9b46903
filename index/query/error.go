package query

import "fmt"

// Error is a malformed query. Pos is the 0-based character (rune) offset in the query
// where the problem was found, for a caret under the input box.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string {
	return fmt.Sprintf("query: at character %d: %s", e.Pos+1, e.Msg)
}

func errorf(pos int, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

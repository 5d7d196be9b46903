package config

import (
	"cmp"
	"fmt"
	"slices"
)

// Problem is one thing wrong with a config file, at the line and column
// (1-based) of the key or value concerned. Line 0 means the file as a whole
// or, with Env set, an environment variable.
type Problem struct {
	Line int    `json:"line"`
	Col  int    `json:"col"`
	Env  string `json:"env,omitempty"` // the variable that set the bad value
	Msg  string `json:"msg"`
}

// In formats the problem as compilers do, "FILE:LINE:COL: message", for
// editors to jump to.
func (p Problem) In(file string) string {
	switch {
	case p.Env != "":
		return fmt.Sprintf("%s: %s", p.Env, p.Msg)
	case p.Line == 0:
		return fmt.Sprintf("%s: %s", orDefault(file), p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", file, p.Line, p.Col, p.Msg)
}

func (p Problem) String() string { return p.In("config") }

// Pos is where a setting came from: a place in the file or a variable.
type Pos struct {
	Line, Col int
	Env       string
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), cmp.Compare(a.Env, b.Env))
	})
}

package main

import (
	"context"
	"fmt"
	"io"

	"github.com/pravda-archive/pravda/config"
)

func init() {
	register("config", "check a `pravda serve` config file, or print a commented example", runConfig)
}

func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config", "check FILE | example", stderr)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "example":
		_, err := io.WriteString(stdout, config.Example())
		return err
	case len(pos) == 2 && pos[0] == "check":
		probs := config.Check(pos[1])
		for _, p := range probs {
			fmt.Fprintln(stdout, p.In(pos[1]))
		}
		if len(probs) > 0 {
			fmt.Fprintf(stderr, "pravda config: %d problem(s) in %s\n", len(probs), pos[1])
			return exitCode(1)
		}
		fmt.Fprintf(stdout, "%s: OK\n", pos[1])
		return nil
	}
	fs.Usage()
	return errUsage
}

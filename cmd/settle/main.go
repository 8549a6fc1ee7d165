// Command settle is the batch reconciliation and settlement processor of the wallet
// platform. Run `settle help` for the commands.
package main

import (
	"os"

	_ "time/tzdata" // the configured time zone works on machines without zoneinfo
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

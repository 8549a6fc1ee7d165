package ledger

import "strings"

// SQLite is the dialect of the embedded default.
var SQLite = &Dialect{
	Name:     "sqlite",
	InList:   "IN (SELECT value FROM json_each(?))",
	Pairs:    "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS v FROM json_each(?))",
	dayDiff:  "abs(julianday(%[1]s) - julianday(%[2]s))",
	addDays:  "date(%[1]s, '+' || (%[2]s) || ' days')",
	contains: "instr(%[1]s, %[2]s)",
	jsonText: "json_extract(%[1]s, '$.%[2]s')",
	jsonObj:  "json_object(%[1]s)",
	zeroPad:  "printf('%%0%[2]dd', %[1]s)",
	types:    strings.NewReplacer(),
}

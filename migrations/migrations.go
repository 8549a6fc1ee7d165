// Package migrations embeds the numbered SQL migrations of the settle database.
//
// Files are named NNNN_description.sql and applied in the order of their number;
// ledger.Migrate records each applied file in schema_migrations.
package migrations

import "embed"

// FS holds every *.sql migration file.
//
//go:embed *.sql
var FS embed.FS

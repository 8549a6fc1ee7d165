package main

import (
	"context"
	"flag"
	"fmt"
	"settle/ledger"
	"strings"
)

func init() {
	register("keys", command{
		usage:   "create --partner KEY|--platform [--label TEXT]\nlist [--json]\nrevoke KEYID",
		help:    "API keys: a partner's sees its own data, the platform's all; secrets shown once",
		example: `settle keys create --partner ACME_PAY --label 'ACME back office'`,
		run:     cmdKeys,
	})
}

func cmdKeys(ctx context.Context, a *app, args []string) int {
	var partner, label string
	var platform, asJSON bool
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.StringVar(&partner, "partner", "", "create: the partner the key belongs to")
	fs.BoolVar(&platform, "platform", false, "create: a platform key (sees every partner)")
	fs.StringVar(&label, "label", "", "create: a note on what the key is for")
	fs.BoolVar(&asJSON, "json", false, "list: JSON lines")
	pos, ok := a.parse("keys", fs, args, 1, 2)
	if !ok {
		return exitUsage
	}
	s, ok := a.open()
	if !ok {
		return exitFail
	}
	defer s.Close()
	switch {
	case pos[0] == "create" && len(pos) == 1 && (partner != "") != platform:
		key, err := ledger.ServerKey()
		if err != nil {
			return a.fail(err)
		}
		k, secret, err := s.CreateAPIKey(ctx, key, partner, label)
		if err != nil {
			return a.fail(err)
		}
		who := "platform (every partner)"
		if k.PartnerKey != nil {
			who = "partner " + *k.PartnerKey
		}
		fmt.Fprintf(a.stdout, "key %s for %s\nsecret %s\nThe secret is shown this once; settle keeps it only encrypted.\n", k.KeyID, who, secret)
		return exitOK
	case pos[0] == "list" && len(pos) == 1:
		ks, err := s.APIKeys(ctx)
		if err != nil {
			return a.fail(err)
		}
		if asJSON {
			return a.jsonLines(ks)
		}
		for _, k := range ks {
			who, state := "platform", "active"
			if k.PartnerKey != nil {
				who = *k.PartnerKey
			}
			if k.RevokedAt != nil {
				state = "revoked " + *k.RevokedAt
			}
			fmt.Fprintf(a.stdout, "%s  %-14s %-20s created %s  %s\n", k.KeyID, who, state, k.CreatedAt, strings.TrimSpace(k.Label))
		}
		return exitOK
	case pos[0] == "revoke" && len(pos) == 2:
		if err := s.RevokeAPIKey(ctx, pos[1]); err != nil {
			return a.fail(err)
		}
		fmt.Fprintf(a.stdout, "key %s revoked\n", pos[1])
		return exitOK
	}
	fs.Usage()
	return exitUsage
}

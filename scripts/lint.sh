#!/usr/bin/env bash
# Static checks, run first by scripts/test.sh (`make test`, CI) and alone by
# `make lint`: go vet, and staticcheck at the version pinned in tools/go.mod
# (downloaded into the Go module cache on first use; later runs need no
# network).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

go vet ./...
go tool -modfile=tools/go.mod staticcheck ./...

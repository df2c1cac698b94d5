package main

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmePackageTableNamesEveryPackage keeps the README's package table
// and the module's packages in step both ways: every directory with non-test
// Go files is named in the table (a row "`dir/...`" covers everything under
// dir), and every package the table names exists.
func TestReadmePackageTableNamesEveryPackage(t *testing.T) {
	text := packageTable(section(t, readme(t), "Architecture"))
	row := regexp.MustCompile("(?m)^\\| (`[^|]+`) \\|")
	name := regexp.MustCompile("`([^`]+)`")
	named := map[string]bool{}
	var trees []string
	for _, m := range row.FindAllStringSubmatch(text, -1) {
		for _, n := range name.FindAllStringSubmatch(m[1], -1) {
			if dir, ok := strings.CutSuffix(n[1], "/..."); ok {
				trees = append(trees, dir)
				continue
			}
			named[n[1]] = true
		}
	}
	if len(named) == 0 {
		t.Fatal("no package table found under the README's Architecture heading")
	}

	root := "../.."
	pkgs := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if base := d.Name(); path != root && (strings.HasPrefix(base, ".") || base == "testdata" || base == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkgs[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	covered := func(p string) bool {
		if named[p] {
			return true
		}
		for _, dir := range trees {
			if p == dir || strings.HasPrefix(p, dir+"/") {
				return true
			}
		}
		return false
	}
	for p := range pkgs {
		// The module root holds no package; internal tools of a package
		// (e.g. feature/internal/wngen, a trainer) are described with it.
		if p == "." || strings.Contains(p, "/internal/") {
			continue
		}
		if !covered(p) {
			t.Errorf("package %s is not in the README's package table", p)
		}
	}
	for p := range named {
		if !pkgs[p] {
			t.Errorf("the README's package table names %s, which is not a package", p)
		}
	}
}

// packageTable returns the table that starts with the header row
// "| package | what it owns |".
func packageTable(text string) string {
	var rows []string
	for _, l := range strings.Split(text, "\n") {
		switch {
		case len(rows) == 0 && strings.HasPrefix(l, "| package |"):
			rows = append(rows, l)
		case len(rows) > 0 && strings.HasPrefix(l, "|"):
			rows = append(rows, l)
		case len(rows) > 0:
			return strings.Join(rows, "\n")
		}
	}
	return strings.Join(rows, "\n")
}

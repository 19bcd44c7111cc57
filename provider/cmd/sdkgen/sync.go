package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// defaultKeep lists, per language, what the generator never deletes from a
// language directory: build outputs and tool caches (all git-ignored) that
// the build checks or a developer may leave there. Nothing hand-written lives
// in the SDK directories today; add such files here (or pass -keep).
var defaultKeep = map[string][]string{
	langNodejs: {"node_modules", "bin"},
	langPython: {"__pycache__", "*.egg-info", "build", "dist", ".venv"},
	langGo:     {},
	langDotnet: {"bin", "obj"},
}

func describeDefaultKeep() string {
	var parts []string
	for _, lang := range allLanguages {
		parts = append(parts, fmt.Sprintf("%s: %s", lang, strings.Join(defaultKeep[lang], " ")))
	}
	return strings.Join(parts, "; ")
}

// kept reports whether the slash-separated relative path rel is protected by
// one of the keep patterns. A pattern without '/' matches any single path
// element (so it protects a whole directory); a pattern with '/' is matched
// against the whole relative path and every leading sub-path of it.
func kept(rel string, patterns []string) bool {
	elems := strings.Split(rel, "/")
	for _, p := range patterns {
		if !strings.Contains(p, "/") {
			for _, e := range elems {
				if ok, _ := path.Match(p, e); ok {
					return true
				}
			}
			continue
		}
		for i := range elems {
			if ok, _ := path.Match(strings.TrimSuffix(p, "/"), strings.Join(elems[:i+1], "/")); ok {
				return true
			}
		}
	}
	return false
}

// existingFiles lists the files under dir (slash-separated, relative), skipping
// kept paths. A missing dir has no files.
func existingFiles(dir string, keep []string) (map[string]bool, error) {
	found := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll
			}
			return err
		}
		if p == dir {
			if !d.IsDir() {
				return fmt.Errorf("%s is not a directory", dir)
			}
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if kept(rel, keep) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			found[rel] = true
		}
		return nil
	})
	return found, err
}

type syncStats struct{ written, removed int }

// syncDir makes dir hold exactly files (plus kept paths): it deletes stale
// files and the directories they leave empty, and writes only the files whose
// content changed, so an unchanged SDK keeps its timestamps.
func syncDir(dir string, files map[string][]byte, keep []string) (syncStats, error) {
	var stats syncStats
	existing, err := existingFiles(dir, keep)
	if err != nil {
		return stats, err
	}
	for _, rel := range slices.Sorted(maps.Keys(existing)) {
		if _, ok := files[rel]; ok {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
			return stats, err
		}
		stats.removed++
	}
	if err := removeEmptyDirs(dir, keep); err != nil {
		return stats, err
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, files[rel]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return stats, err
		}
		if err := writeFileAtomic(target, files[rel]); err != nil {
			return stats, err
		}
		stats.written++
	}
	return stats, nil
}

// writeFileAtomic replaces target with content via a temporary file in the
// same directory, so an interrupted run never leaves a half-written file.
func writeFileAtomic(target string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), ".sdkgen-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// removeEmptyDirs deletes directories under dir (not dir itself) that hold
// nothing, deepest first; kept directories are left alone.
func removeEmptyDirs(dir string, keep []string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll
			}
			return err
		}
		if !d.IsDir() || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if kept(filepath.ToSlash(rel), keep) {
			return fs.SkipDir
		}
		dirs = append(dirs, p)
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) { // children come after parents in a walk
		entries, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			if err := os.Remove(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// difference is one path where the directory and the generated output disagree.
type difference struct {
	kind string // "missing", "stale" or "differs"
	path string
}

// compareDir reports how dir differs from files, ignoring kept paths, in path
// order.
func compareDir(dir string, files map[string][]byte, keep []string) ([]difference, error) {
	existing, err := existingFiles(dir, keep)
	if err != nil {
		return nil, err
	}
	var diffs []difference
	all := maps.Clone(existing)
	for rel := range files {
		all[rel] = true
	}
	for _, rel := range slices.Sorted(maps.Keys(all)) {
		want, generated := files[rel]
		switch {
		case !generated:
			diffs = append(diffs, difference{"stale", rel})
		default:
			// Read generated paths directly: one may sit under a kept pattern.
			have, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if errors.Is(err, fs.ErrNotExist) {
				diffs = append(diffs, difference{"missing", rel})
				continue
			}
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(have, want) {
				diffs = append(diffs, difference{"differs", rel})
			}
		}
	}
	return diffs, nil
}

// Package buildcontext packs a Docker build context the way `docker build`
// would send it, but deterministically, so that the same directory gives the
// same digest on every machine and every run.
//
// # What is packed
//
// Every regular file, directory and symbolic link under the context
// directory that `.dockerignore` does not exclude. Patterns are matched with
// github.com/moby/patternmatcher, the library docker itself uses, and the
// file is read with its ignorefile package, so `**`, `!` exceptions, comments
// and leading slashes behave exactly as they do for docker. As docker does,
// the Dockerfile and the .dockerignore file are always sent, even when a
// pattern excludes them. Other file types (sockets, FIFOs, devices) are
// skipped: docker cannot use them as build inputs either.
//
// # Normalisation
//
// Entries are sorted by their slash-separated path (a directory therefore
// always precedes its contents). Modification times are the Unix epoch, owner
// and group are 0 with no names, and modes are normalised: directories 0755,
// files 0755 when any execute bit is set and 0644 otherwise, symbolic links
// 0777 and kept as links (never followed). The gzip stream carries no file
// name and no modification time.
//
// # Digest
//
// The digest is NOT a hash of the tar or gzip bytes: archive/tar and
// compress/flate may change their output between Go versions, and a digest
// that changed with the toolchain would rebuild every image after a provider
// upgrade. Instead the digest is the SHA-256 of a small manifest in a format
// this package owns (see [manifestVersion]): for every packed entry, in order,
// its type, normalised mode, path, and either the size and SHA-256 of its
// content (files) or its link target (symlinks). This covers exactly what the
// tar carries (the tar headers hold nothing else that varies), so two contexts
// with the same digest produce equivalent tars, and the digest is stable
// across Go versions by construction.
package buildcontext

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// DefaultDockerfile is the Dockerfile name used when none is given.
const DefaultDockerfile = "Dockerfile"

// dockerignoreName is the ignore file docker reads from the context root.
const dockerignoreName = ".dockerignore"

// manifestVersion opens the digested manifest. Changing the manifest format
// must change this string, so that old and new digests never collide.
const manifestVersion = "defang-buildcontext-v1\n"

// epoch is the modification time written for every entry.
var epoch = time.Unix(0, 0).UTC()

// Digest returns "sha256:<hex>" for the context in contextDir with the given
// Dockerfile (relative to contextDir; "" means "Dockerfile"). It reads every
// packed file but writes nothing; Pack of the same unchanged directory returns
// the same value.
func Digest(contextDir, dockerfile string) (string, error) {
	return pack(contextDir, dockerfile, nil)
}

// Pack writes the context as a gzip-compressed tar to w and returns its
// digest, the same value Digest returns for the same content. The digest is
// computed from the bytes actually written, so a file edited between a call
// to Digest and a call to Pack shows up as a different digest.
func Pack(contextDir, dockerfile string, w io.Writer) (string, error) {
	if w == nil {
		return "", errors.New("buildcontext: nil writer")
	}
	// No file name and no modification time in the gzip header: the zero
	// Header gives exactly that, and OS "unknown" (255) on every platform.
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	tw := tar.NewWriter(zw)
	digest, err := pack(contextDir, dockerfile, tw)
	if err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("buildcontext: finishing tar: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("buildcontext: finishing gzip: %w", err)
	}
	return digest, nil
}

// entry is one thing to pack, found by the walk.
type entry struct {
	rel  string      // slash-separated path relative to the context root
	abs  string      // path on disk
	kind byte        // 'd' directory, 'f' regular file, 'l' symbolic link
	mode int64       // normalised permission bits
	size int64       // file size as seen by the walk (files only)
	link string      // link target (symlinks only)
	info fs.FileInfo // for re-checking that a file did not change
}

// pack walks the context and feeds every entry to the manifest hash and, when
// tw is not nil, to the tar writer.
func pack(contextDir, dockerfile string, tw *tar.Writer) (string, error) {
	root, relDockerfile, err := resolve(contextDir, dockerfile)
	if err != nil {
		return "", err
	}
	entries, err := walk(root, relDockerfile)
	if err != nil {
		return "", err
	}

	manifest := sha256.New()
	io.WriteString(manifest, manifestVersion)
	content := sha256.New()
	for _, e := range entries {
		if err := writeEntry(e, tw, manifest, content); err != nil {
			return "", err
		}
	}
	return "sha256:" + hex.EncodeToString(manifest.Sum(nil)), nil
}

// resolve checks the inputs and returns the context root with symlinks
// resolved (WalkDir does not descend into a root that is a link) and the
// Dockerfile path cleaned and slash-separated.
func resolve(contextDir, dockerfile string) (string, string, error) {
	if contextDir == "" {
		return "", "", errors.New("buildcontext: empty context directory")
	}
	root, err := filepath.EvalSymlinks(contextDir)
	if err != nil {
		return "", "", fmt.Errorf("buildcontext: context directory %q: %w", contextDir, err)
	}
	fi, err := os.Stat(root)
	if err != nil {
		return "", "", fmt.Errorf("buildcontext: context directory %q: %w", contextDir, err)
	}
	if !fi.IsDir() {
		return "", "", fmt.Errorf("buildcontext: context %q is not a directory", contextDir)
	}

	if dockerfile == "" {
		dockerfile = DefaultDockerfile
	}
	if filepath.IsAbs(dockerfile) || path.IsAbs(filepath.ToSlash(dockerfile)) {
		return "", "", fmt.Errorf("buildcontext: dockerfile %q must be relative to the context %q", dockerfile, contextDir)
	}
	rel := path.Clean(filepath.ToSlash(dockerfile))
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", "", fmt.Errorf("buildcontext: dockerfile %q is outside the context %q", dockerfile, contextDir)
	}
	// Stat follows a link: a Dockerfile that is a link is packed as the link,
	// but it must lead to a regular file, and a dangling one is missing.
	dfi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("buildcontext: dockerfile %q not found in context %q", dockerfile, contextDir)
		}
		return "", "", fmt.Errorf("buildcontext: dockerfile %q: %w", dockerfile, err)
	}
	if !dfi.Mode().IsRegular() {
		return "", "", fmt.Errorf("buildcontext: dockerfile %q in context %q is not a regular file", dockerfile, contextDir)
	}
	return root, rel, nil
}

// readIgnore returns the .dockerignore patterns of root plus the exceptions
// that keep the Dockerfile and .dockerignore in the context, as the docker CLI
// does (cli/command/image/build: TrimBuildFilesFromExcludes).
func readIgnore(root, relDockerfile string) (*patternmatcher.PatternMatcher, error) {
	f, err := os.Open(filepath.Join(root, dockerignoreName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("buildcontext: reading %s: %w", dockerignoreName, err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("buildcontext: reading %s: %w", dockerignoreName, err)
	}
	if len(patterns) == 0 {
		return nil, nil
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("buildcontext: invalid pattern in %s: %w", dockerignoreName, err)
	}
	var extra []string
	for _, keep := range []string{dockerignoreName, relDockerfile} {
		if excluded, _ := pm.MatchesOrParentMatches(keep); excluded {
			extra = append(extra, "!"+keep)
		}
	}
	if len(extra) == 0 {
		return pm, nil
	}
	return patternmatcher.New(append(patterns, extra...))
}

// walk lists the entries to pack, sorted by path. The exclusion logic mirrors
// docker's archive.TarWithOptions: a directory that is excluded is still
// entered when an exception pattern could match something inside it, but the
// directory itself is not packed.
func walk(root, relDockerfile string) ([]entry, error) {
	pm, err := readIgnore(root, relDockerfile)
	if err != nil {
		return nil, err
	}
	// Parent directories' match results, as MatchesUsingParentResults wants.
	parents := map[string]patternmatcher.MatchInfo{}

	var entries []entry
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, walkErr error) error {
		if walkErr != nil {
			return fmt.Errorf("buildcontext: %w", walkErr)
		}
		relOS, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if relOS == "." {
			return nil // the root itself is implied
		}
		rel := filepath.ToSlash(relOS)

		if pm != nil {
			excluded, info, err := pm.MatchesUsingParentResults(rel, parents[path.Dir(rel)])
			if err != nil {
				return fmt.Errorf("buildcontext: matching %q against %s: %w", rel, dockerignoreName, err)
			}
			if d.IsDir() {
				parents[rel] = info
			}
			if excluded {
				if !d.IsDir() {
					return nil
				}
				if !pm.Exclusions() {
					return filepath.SkipDir
				}
				// Keep walking only if an exception may match below here.
				prefix := rel + "/"
				for _, pat := range pm.Patterns() {
					if pat.Exclusion() && strings.HasPrefix(filepath.ToSlash(pat.String())+"/", prefix) {
						return nil
					}
				}
				return filepath.SkipDir
			}
		}

		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("buildcontext: %w", err)
		}
		e := entry{rel: rel, abs: p, info: info}
		switch mode := info.Mode(); {
		case mode.IsDir():
			e.kind, e.mode = 'd', 0o755
		case mode.IsRegular():
			e.kind, e.mode, e.size = 'f', 0o644, info.Size()
			if mode.Perm()&0o111 != 0 {
				e.mode = 0o755
			}
		case mode&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("buildcontext: %w", err)
			}
			e.kind, e.mode, e.link = 'l', 0o777, filepath.ToSlash(target)
		default:
			return nil // sockets, FIFOs, devices: not build inputs
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}

	// WalkDir orders each directory by name, which is not the same as ordering
	// full paths ("a-b" sorts before "a/b"). Sort once over full paths; a
	// parent is a prefix of its children, so it still comes first.
	sort.Slice(entries, func(i, j int) bool { return entries[i].rel < entries[j].rel })

	found := false
	for _, e := range entries {
		if e.rel == relDockerfile {
			found = true
			break
		}
	}
	if !found {
		// resolve saw the file, so the walk lost it: it vanished meanwhile.
		return nil, fmt.Errorf("buildcontext: dockerfile %q not found in context %q", relDockerfile, root)
	}
	return entries, nil
}

// writeEntry adds one entry to the manifest and, when tw is set, to the tar.
// Each manifest record is its fields terminated by NUL; paths and link
// targets cannot contain NUL, so records cannot be confused with each other.
func writeEntry(e entry, tw *tar.Writer, manifest, content hash.Hash) error {
	var rec bytes.Buffer
	fmt.Fprintf(&rec, "%c\x00%04o\x00%s\x00", e.kind, e.mode, e.rel)

	hdr := &tar.Header{
		Name:    e.rel,
		Mode:    e.mode,
		ModTime: epoch,
		Format:  tar.FormatPAX, // always representable: long and non-ASCII names
	}
	switch e.kind {
	case 'd':
		hdr.Typeflag, hdr.Name = tar.TypeDir, e.rel+"/"
	case 'l':
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, e.link
		fmt.Fprintf(&rec, "%s\x00", e.link)
	case 'f':
		hdr.Typeflag, hdr.Size = tar.TypeReg, e.size
	}

	if e.kind != 'f' {
		manifest.Write(rec.Bytes())
		if tw != nil {
			if err := tw.WriteHeader(hdr); err != nil {
				return fmt.Errorf("buildcontext: writing %q: %w", e.rel, err)
			}
		}
		return nil
	}

	f, err := os.Open(e.abs)
	if err != nil {
		return fmt.Errorf("buildcontext: %w", err)
	}
	defer f.Close()
	// The walk's size goes into the tar header before the content is read, so
	// a file that grows or shrinks meanwhile must fail the pack rather than
	// produce a tar that disagrees with its header.
	if fi, err := f.Stat(); err != nil || !os.SameFile(fi, e.info) || fi.Size() != e.size {
		return fmt.Errorf("buildcontext: %q changed while the context was being packed", e.rel)
	}
	if tw != nil {
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("buildcontext: writing %q: %w", e.rel, err)
		}
	}
	content.Reset()
	dst := io.Writer(content)
	if tw != nil {
		dst = io.MultiWriter(tw, content)
	}
	n, err := io.Copy(dst, io.LimitReader(f, e.size+1))
	if errors.Is(err, tar.ErrWriteTooLong) {
		return fmt.Errorf("buildcontext: %q changed while the context was being packed", e.rel)
	}
	if err != nil {
		return fmt.Errorf("buildcontext: reading %q: %w", e.rel, err)
	}
	if n != e.size {
		return fmt.Errorf("buildcontext: %q changed while the context was being packed", e.rel)
	}
	fmt.Fprintf(&rec, "%d\x00%x\x00", e.size, content.Sum(nil))
	manifest.Write(rec.Bytes())
	return nil
}

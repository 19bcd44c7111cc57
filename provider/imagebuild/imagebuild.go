// Package imagebuild holds what the ImageBuild custom resources of both
// clouds (defang:aws:ImageBuild through CodeBuild, defang:azure:ImageBuild
// through ACR Tasks) share: the build settings that decide what image comes
// out, their checks, their replace-or-nothing diff, the image tag, the
// status names of DESIGN.md section 6 and the tail of a failed build's log.
package imagebuild

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
)

// Build statuses shown in the resources' log lines (DESIGN.md section 6).
const (
	StatusQueued       = "BUILD_QUEUED"
	StatusProvisioning = "BUILD_PROVISIONING"
	StatusPending      = "BUILD_PENDING"
	StatusRunning      = "BUILD_RUNNING"
	StatusStopping     = "BUILD_STOPPING"
	StatusFailed       = "BUILD_FAILED"
)

const (
	// DefaultPlatform is the platform of an image without one.
	DefaultPlatform = "linux/amd64"
	// LogTailLines is how many build log lines a failure reports.
	LogTailLines = 30
)

var (
	// DigestPattern is a context or image digest.
	DigestPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	// platformPattern accepts os/arch[/variant], as docker does.
	platformPattern = regexp.MustCompile(`^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$`)
)

// Settings are the inputs that decide what image comes out of a build of
// one context, with defaults applied so that "unset" and "set to the
// default" compare equal.
type Settings struct {
	ContextDigest string
	Dockerfile    string // relative to the context, forward slashes
	Target        string
	Platform      string
	BuildArgs     map[string]string
}

// NewSettings applies the defaults to a resource's optional inputs.
func NewSettings(contextDigest string, dockerfile, target, platform *string, buildArgs map[string]string) Settings {
	df := Deref(dockerfile)
	if df == "" {
		df = buildcontext.DefaultDockerfile
	}
	pl := Deref(platform)
	if pl == "" {
		pl = DefaultPlatform
	}
	return Settings{
		ContextDigest: contextDigest,
		Dockerfile:    path.Clean(filepath.ToSlash(df)),
		Target:        Deref(target),
		Platform:      pl,
		BuildArgs:     buildArgs,
	}
}

// SourceProblems lists what is wrong with the inputs both clouds share, in
// a fixed order, as check failures on the resource's property names.
func SourceProblems(contextPath, contextDigest string, dockerfile, target, platform *string,
	buildArgs map[string]string,
) []p.CheckFailure {
	var out []p.CheckFailure
	fail := func(prop, format string, args ...any) {
		out = append(out, p.CheckFailure{Property: prop, Reason: fmt.Sprintf(format, args...)})
	}
	if !filepath.IsAbs(contextPath) {
		fail("contextPath", "must be an absolute path, got %q", contextPath)
	}
	if !DigestPattern.MatchString(contextDigest) {
		fail("contextDigest", `must look like "sha256:<64 hex digits>", got %q`, contextDigest)
	}
	if df := Deref(dockerfile); df != "" {
		clean := path.Clean(filepath.ToSlash(df))
		switch {
		case strings.ContainsRune(df, 0):
			fail("dockerfile", "must not contain NUL")
		case filepath.IsAbs(df) || path.IsAbs(clean):
			fail("dockerfile", "must be relative to the build context, got %q", df)
		case clean == ".." || strings.HasPrefix(clean, "../"):
			fail("dockerfile", "must stay inside the build context, got %q", df)
		}
	}
	if strings.ContainsRune(Deref(target), 0) {
		fail("target", "must not contain NUL")
	}
	if pl := Deref(platform); pl != "" && !platformPattern.MatchString(pl) {
		fail("platform", `must look like "linux/amd64", got %q`, pl)
	}
	for _, k := range SortedKeys(buildArgs) {
		if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(buildArgs[k], 0) {
			fail("buildArgs", "build argument %q: a name must be non-empty and without '=', "+
				"and names and values must not contain NUL", k)
			break
		}
	}
	return out
}

// Tag is the tag pushed with the image: a digest of everything that shapes
// it, so two builds of one context with different settings do not take each
// other's tag (an untagged image may be expired by the registry's retention
// while a service still runs it). version names the scheme of the caller,
// so that a change of scheme is a change of tag.
func (s Settings) Tag(version string) string {
	h := sha256.New()
	write := func(fields ...string) {
		for _, f := range fields {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
	}
	write(version, s.ContextDigest, s.Dockerfile, s.Target, s.Platform)
	for _, k := range SortedKeys(s.BuildArgs) {
		write(k, s.BuildArgs[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Diff collects replace-only property diffs: an ImageBuild has no update,
// since any change that matters is a new image.
type Diff map[string]p.PropertyDiff

// Compare records key as replaced when old and new differ. A required input
// is never empty once known (Check rejects that), so an empty new value of
// one is an unknown (preview): shown as an update, the safe answer.
func (d Diff) Compare(key, old, new string, required bool) {
	switch {
	case old == new:
	case required:
		d[key] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
	case old == "":
		d[key] = p.PropertyDiff{Kind: p.AddReplace, InputDiff: true}
	case new == "":
		d[key] = p.PropertyDiff{Kind: p.DeleteReplace, InputDiff: true}
	default:
		d[key] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
	}
}

// CompareSettings records the differences of the shared settings.
func (d Diff) CompareSettings(olds, news Settings) {
	d.Compare("contextDigest", olds.ContextDigest, news.ContextDigest, true)
	d.Compare("dockerfile", olds.Dockerfile, news.Dockerfile, true) // defaulted, never empty
	d.Compare("target", olds.Target, news.Target, false)
	d.Compare("platform", olds.Platform, news.Platform, true) // defaulted, never empty
	// nil and empty maps are the same build.
	if !equalMaps(olds.BuildArgs, news.BuildArgs) {
		switch {
		case len(olds.BuildArgs) == 0:
			d["buildArgs"] = p.PropertyDiff{Kind: p.AddReplace, InputDiff: true}
		case len(news.BuildArgs) == 0:
			d["buildArgs"] = p.PropertyDiff{Kind: p.DeleteReplace, InputDiff: true}
		default:
			d["buildArgs"] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
		}
	}
}

// ContextChanged is the error of a context edited after the program hashed
// it: building it would produce an image that does not match the plan the
// user approved.
func ContextChanged(want, got string) error {
	return fmt.Errorf("build context changed during the update (planned %s, now %s); run the update again", want, got)
}

// ContextKey is where a context with this digest is stored (an S3 key or
// a blob name). Keying by digest makes the upload idempotent and shared
// between services and stacks that build the same context.
func ContextKey(digest string) string {
	return "contexts/" + strings.TrimPrefix(digest, "sha256:") + ".tar.gz"
}

// LastLines reads r to the end and returns its last n lines, without
// trailing carriage returns, keeping at most n lines in memory.
func LastLines(r io.Reader, n int) ([]string, error) {
	ring := make([]string, 0, n)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if len(ring) == n {
			ring = append(ring[:0], ring[1:]...)
		}
		ring = append(ring, line)
	}
	for len(ring) > 0 && strings.TrimSpace(ring[len(ring)-1]) == "" {
		ring = ring[:len(ring)-1]
	}
	return ring, sc.Err()
}

// FormatTail is the log part of a failure message.
func FormatTail(lines []string, err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("\nThe build log could not be read: %v", err)
	case len(lines) == 0:
		return "\nThe build log is empty."
	default:
		return fmt.Sprintf("\nLast %d lines of the build log:\n%s", len(lines), strings.Join(lines, "\n"))
	}
}

// Deref is the value of an optional string, "" when unset.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SortedKeys returns a map's keys in order.
func SortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Check is an ImageBuild's Check: infer's defaults, then the resource's
// own problems on the inputs that are known (a preview's unknown inputs are
// checked when they are known).
func Check[A any](ctx context.Context, req infer.CheckRequest, problems func(A) []p.CheckFailure) (infer.CheckResponse[A], error) {
	args, failures, err := infer.DefaultCheck[A](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[A]{Inputs: args, Failures: failures}, err
	}
	for _, f := range problems(args) {
		if v, ok := req.NewInputs.GetOk(f.Property); ok && !v.HasComputed() {
			failures = append(failures, f)
		}
	}
	return infer.CheckResponse[A]{Inputs: args, Failures: failures}, nil
}

// Response is the diff response of an ImageBuild: replace on any change,
// the new image built before the old state goes (the running service keeps
// its image until it moves to the new one).
func (d Diff) Response() infer.DiffResponse {
	return infer.DiffResponse{
		DeleteBeforeReplace: false,
		HasChanges:          len(d) > 0,
		DetailedDiff:        map[string]p.PropertyDiff(d),
	}
}

// Read returns an ImageBuild's state as it is: the build happened and the
// image it pushed is referenced by digest, so there is nothing to refresh.
func Read[A, S any](req infer.ReadRequest[A, S]) infer.ReadResponse[A, S] {
	return infer.ReadResponse[A, S]{ID: req.ID, Inputs: req.Inputs, State: req.State}
}

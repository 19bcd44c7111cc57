package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/dotenv"
	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

// LoadOptions says where a compose application comes from and how to read it.
type LoadOptions struct {
	// ComposeFiles are paths merged in order like `docker compose -f a -f b`;
	// relative paths resolve against WorkingDir. As in docker compose, the
	// directory of the first file is the project directory: build contexts,
	// env_file paths and the `.env` file resolve from it.
	ComposeFiles []string
	// ComposeYAML is inline compose text. At most one of ComposeFiles and
	// ComposeYAML may be set; with neither, the default file names are
	// discovered in WorkingDir (see DiscoverFiles).
	ComposeYAML string
	// WorkingDir is the program directory (default: the current directory):
	// the base for discovery and relative ComposeFiles, and the project
	// directory for inline YAML and discovered files.
	WorkingDir string
	// ProjectName overrides the project name; default: COMPOSE_PROJECT_NAME
	// from the .env file or Variables, then compose `name:`, then the base
	// name of the project directory, normalised as compose does.
	ProjectName string
	// Profiles to enable; default: COMPOSE_PROFILES from the .env file or
	// Variables, else none (services without profiles only).
	Profiles []string
	// Variables are interpolation values. They override the values of the
	// `.env` file in the project directory. The process environment is never
	// read.
	Variables map[string]string
	// ConfigNames are the names of the config values the user supplied.
	ConfigNames []string
	// CheckConfig makes every config value the application reads (see
	// Project.ConfigNames) an error unless it is in ConfigNames.
	CheckConfig bool
}

// inlineFileName names inline compose text in compose-go's messages; it
// lives in the project directory so that relative `extends.file` and
// `include` paths resolve from there.
const inlineFileName = "composeYaml"

// DiscoverFiles returns the compose files docker compose would pick in dir:
// the first of compose.yaml, compose.yml, docker-compose.yml and
// docker-compose.yaml (compose-go's order of preference), followed by the
// first override file (compose.override.yml, compose.override.yaml, ...) when
// there is one. Unlike docker compose it does not search parent directories:
// the program directory is explicit. It is an error when dir holds no compose
// file.
func DiscoverFiles(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("compose project directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("compose project directory %s is not a directory", abs)
	}
	first := func(names []string) string {
		for _, n := range names {
			p := filepath.Join(abs, n)
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
		return ""
	}
	main := first(cli.DefaultFileNames)
	if main == "" {
		return nil, fmt.Errorf("no compose file found in %s (looked for %s); set composeFiles or composeYaml",
			abs, strings.Join(cli.DefaultFileNames, ", "))
	}
	files := []string{main}
	if override := first(cli.DefaultOverrideFileNames); override != "" {
		files = append(files, override)
	}
	return files, nil
}

// Load reads, validates and fixes up a compose application.
//
// The warnings are returned whether or not loading succeeds. When the
// application breaks the Defang rules the error is an Errors listing every
// problem found, each naming its service and field; a file that cannot be
// read or parsed is a plain error naming the file.
func Load(ctx context.Context, opts LoadOptions) (project *Project, warnings []Diagnostic, err error) {
	// compose-go asserts types in places where schema validation should
	// have caught odd input first; never let a bad file crash the provider.
	defer func() {
		if r := recover(); r != nil {
			project, err = nil, fmt.Errorf("loading compose application: internal error on unexpected input: %v", r)
		}
	}()

	src, err := resolveSources(opts)
	if err != nil {
		return nil, nil, err
	}
	env, err := projectEnvironment(src.projectDir, opts.Variables)
	if err != nil {
		return nil, nil, err
	}
	var (
		cp          *types.Project
		raw         map[string]any
		rawErr      error
		composeLogs []Diagnostic
	)
	composeLogs = captureComposeLog(func() {
		if cp, err = loadComposeProject(ctx, src, env, opts); err != nil {
			return
		}
		raw, rawErr = loadRawModel(ctx, src, cp.Name)
	})
	if err != nil {
		return nil, composeLogs, err
	}
	// compose-go exposes the project name to interpolation; do the same in
	// our own lookups so that `${COMPOSE_PROJECT_NAME}` agrees everywhere.
	env[consts.ComposeProjectName] = cp.Name

	b := newBuilder(cp, raw, env, opts)
	b.warn(composeLogs...)
	if rawErr != nil {
		// Without the raw model we cannot tell a missing `${NAME}` in an
		// environment value from an intended blank: say so rather than
		// silently deploying blanks.
		b.warn(Diagnostic{Message: fmt.Sprintf("could not read the uninterpolated compose model (%v); "+
			"`${NAME}` references in environment values that no variable sets are left blank instead of read from config", rawErr)})
	}
	project = b.build()
	if len(b.errs) > 0 {
		return nil, b.warns, Errors(b.errs)
	}
	return project, b.warns, nil
}

// sources are the resolved inputs of one load.
type sources struct {
	projectDir string
	files      []types.ConfigFile
	// names are the files as the user knows them, for error messages.
	names []string
}

// resolveSources decides which compose text to load and the project
// directory everything else resolves from.
func resolveSources(opts LoadOptions) (sources, error) {
	wd := opts.WorkingDir
	if wd == "" {
		wd = "."
	}
	wd, err := filepath.Abs(wd)
	if err != nil {
		return sources{}, fmt.Errorf("working directory: %w", err)
	}
	switch {
	case len(opts.ComposeFiles) > 0 && opts.ComposeYAML != "":
		return sources{}, errors.New("set either composeFiles or composeYaml, not both")
	case opts.ComposeYAML != "":
		name := filepath.Join(wd, inlineFileName)
		return sources{
			projectDir: wd,
			files:      []types.ConfigFile{{Filename: name, Content: []byte(opts.ComposeYAML)}},
			names:      []string{"composeYaml"},
		}, nil
	}
	paths := opts.ComposeFiles
	if len(paths) == 0 {
		if paths, err = DiscoverFiles(wd); err != nil {
			return sources{}, err
		}
	}
	src := sources{}
	for i, p := range paths {
		if strings.TrimSpace(p) == "" {
			return sources{}, fmt.Errorf("composeFiles[%d] is empty", i)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(wd, p)
		}
		content, err := os.ReadFile(p)
		if err != nil {
			if fi, statErr := os.Stat(p); statErr == nil && fi.IsDir() {
				return sources{}, fmt.Errorf("compose file %s is a directory", p)
			}
			return sources{}, fmt.Errorf("reading compose file: %w", err)
		}
		if i == 0 {
			src.projectDir = filepath.Dir(p)
		}
		src.files = append(src.files, types.ConfigFile{Filename: p, Content: content})
		src.names = append(src.names, p)
	}
	return src, nil
}

// projectEnvironment returns the interpolation variables: the `.env` file of
// the project directory, when there is one, overridden by vars. The process
// environment is deliberately not consulted.
func projectEnvironment(dir string, vars map[string]string) (map[string]string, error) {
	env := map[string]string{}
	dotEnv := filepath.Join(dir, ".env")
	if fi, err := os.Stat(dotEnv); err == nil && !fi.IsDir() {
		// Variables are visible to `${X}` inside the .env file, as the
		// shell environment is to compose.
		fromFile, err := dotenv.GetEnvFromFile(copyMap(vars), []string{dotEnv})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", dotEnv, err)
		}
		for k, v := range fromFile {
			env[k] = v
		}
	}
	for k, v := range vars {
		env[k] = v
	}
	return env, nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// loadComposeProject runs compose-go: merge, interpolation, extends,
// include, profiles, normalisation and schema validation. Our own rules
// replace compose-go's checks that stop at the first problem (consistency,
// env_file resolution), so that Load can report every problem at once.
func loadComposeProject(ctx context.Context, src sources, env map[string]string, opts LoadOptions) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  src.projectDir,
		ConfigFiles: src.files,
		Environment: types.Mapping(env),
	}
	name, explicit, err := projectNameOption(opts.ProjectName, env, src.projectDir)
	if err != nil {
		return nil, err
	}
	profiles := opts.Profiles
	if len(profiles) == 0 && env[consts.ComposeProfiles] != "" {
		for _, p := range strings.Split(env[consts.ComposeProfiles], ",") {
			if p = strings.TrimSpace(p); p != "" {
				profiles = append(profiles, p)
			}
		}
	}
	p, err := loader.LoadWithContext(ctx, details, func(o *loader.Options) {
		o.SetProjectName(name, explicit)
		o.Profiles = profiles
		// Port modes must stay unset when the file does not set them (a
		// UDP port then becomes a host port); we apply defaults ourselves.
		o.SkipDefaultValues = true
		// Collected by our rules instead of failing at the first problem.
		o.SkipConsistencyCheck = true
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		if o.Interpolate != nil {
			o.Interpolate.Substitute = composeSubstitute
			o.Interpolate.LookupValue = interp.LookupValue(mapLookup(env))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("loading %s: %s", strings.Join(src.names, ", "), stableMessage(err.Error()))
	}
	return p, nil
}

// propertyList is the list of names in compose-go's schema errors
// ("additional properties 'B', 'C' not allowed"), which its JSON schema
// validator prints in map order.
var propertyList = regexp.MustCompile(`'[^']*'(, '[^']*')+`)

// stableMessage sorts the name lists of a compose-go error, so that the same
// file always fails with the same message (found by FuzzLoad).
func stableMessage(msg string) string {
	return propertyList.ReplaceAllStringFunc(msg, func(list string) string {
		names := strings.Split(list, ", ")
		sort.Strings(names)
		return strings.Join(names, ", ")
	})
}

// projectNameOption mirrors docker compose's precedence for the name handed
// to compose-go: an explicit name, then COMPOSE_PROJECT_NAME, both final;
// otherwise the directory name, which a `name:` in the files overrides.
func projectNameOption(override string, env map[string]string, dir string) (string, bool, error) {
	for _, candidate := range []struct{ value, what string }{
		{override, "projectName"},
		{env[consts.ComposeProjectName], consts.ComposeProjectName},
	} {
		if candidate.value == "" {
			continue
		}
		name := loader.NormalizeProjectName(candidate.value)
		if name == "" {
			return "", false, fmt.Errorf("%s %q has no valid characters; a project name consists of lowercase letters, digits, '-' and '_'", candidate.what, candidate.value)
		}
		return name, true, nil
	}
	return loader.NormalizeProjectName(filepath.Base(dir)), false, nil
}

// loadRawModel loads the same files again without interpolation and returns
// the merged yaml tree. It is how we learn the templates of environment
// values (`postgres://u:${PASSWORD}@db/x`) that compose-go has already
// interpolated to blanks in the project.
func loadRawModel(ctx context.Context, src sources, name string) (map[string]any, error) {
	details := types.ConfigDetails{
		WorkingDir:  src.projectDir,
		ConfigFiles: src.files,
		// Empty on purpose: `- KEY` entries must stay null here instead of
		// being resolved from the variables (whose values would then be
		// re-interpolated as if they were templates).
		Environment: types.Mapping{},
	}
	return loader.LoadModelWithContext(ctx, details, func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.SkipInterpolation = true
		o.SkipValidation = true
		o.SkipNormalization = true
		o.SkipDefaultValues = true
		o.SkipConsistencyCheck = true
		o.ResolvePaths = false
	})
}

// composeLog serialises the loads that capture compose-go's log: compose-go
// logs through logrus's process-wide standard logger, so only one load at a
// time can own its output.
var composeLog sync.Mutex

// captureComposeLog runs load with compose-go's logrus output captured
// instead of written raw to stderr (`time=... level=warning msg=...`), and
// returns each line as one of our warnings, so that they reach the user in
// the same format as the rest. Concurrent loads take turns; another
// package's logrus lines logged during a load would be captured with it.
//
// compose-go's "the attribute `version` is obsolete" is dropped: it is
// logged only once per file and process, and projectWarnings reports the
// same on every load.
func captureComposeLog(load func()) []Diagnostic {
	composeLog.Lock()
	defer composeLog.Unlock()

	logger := logrus.StandardLogger()
	hook := &logCapture{}
	hooks := logrus.LevelHooks{}
	for level, hs := range logger.Hooks {
		hooks[level] = append([]logrus.Hook{}, hs...)
	}
	hooks.Add(hook)
	previousHooks := logger.ReplaceHooks(hooks)
	previousOut := logger.Out
	logger.SetOutput(io.Discard)
	defer func() {
		logger.SetOutput(previousOut)
		logger.ReplaceHooks(previousHooks)
	}()

	load()

	var out []Diagnostic
	seen := map[string]bool{}
	for _, msg := range hook.messages() {
		if seen[msg] || strings.Contains(msg, "the attribute `version` is obsolete") {
			continue
		}
		seen[msg] = true
		out = append(out, Diagnostic{Message: msg})
	}
	return out
}

// logCapture is a logrus hook that keeps the messages it sees.
type logCapture struct {
	mu   sync.Mutex
	msgs []string
}

func (*logCapture) Levels() []logrus.Level { return logrus.AllLevels }

func (c *logCapture) Fire(e *logrus.Entry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, strings.TrimSpace(e.Message))
	return nil
}

func (c *logCapture) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string{}, c.msgs...)
}

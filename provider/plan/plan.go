// Package plan runs the defang:index:Project component offline: the same
// component code as `pulumi up`, under a mock resource monitor that records
// every resource registration and answers with deterministic fake outputs
// (ids, ARNs, DNS names). No cloud account and no Pulumi CLI are needed.
package plan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/aws"
	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/propjson"
)

// Fake account facts the mock monitor answers with.
const (
	FakeAccountID = fakecloud.AccountID
	DefaultRegion = "us-east-1"
	// DefaultAzureLocation is where an Azure plan is made when no region is
	// given.
	DefaultAzureLocation = "eastus"
	SecretMarker         = propjson.SecretMarker
	UnknownMarker        = propjson.UnknownMarker
)

// DefaultRegionFor is the region a plan on cloud is made for by default.
func DefaultRegionFor(cloud string) string {
	if cloud == provider.CloudAzure {
		return DefaultAzureLocation
	}
	return DefaultRegion
}

// Options say what to plan.
type Options struct {
	ComposeFiles []string
	// ComposeYAML is the compose application as inline YAML, instead of
	// ComposeFiles; relative paths resolve from the current directory.
	ComposeYAML string
	ProjectName string
	Profiles    []string
	Cloud       string
	Mode        string
	Region      string
	Stack       string
	Config      map[string]string
	Variables   map[string]string
	// Domain is the Project's domain (empty: none).
	Domain string
	// StackConfig is the stack's configuration as the engine passes it to
	// Construct, keys namespaced ("pulumi:autonaming", a JSON value for an
	// object).
	StackConfig map[string]string

	// revealSecrets renders secret inputs as "[secret] <value>" instead of
	// "[secret]". Unexported: only this package's tests set it (the update
	// minimality test, to see which resource a changed secret reaches);
	// no command can.
	revealSecrets bool
}

// Resource is one planned resource.
type Resource struct {
	URN       string         `json:"urn"`
	Type      string         `json:"type"`
	Name      string         `json:"name"`
	Parent    string         `json:"parent,omitempty"`
	Custom    bool           `json:"custom"`
	DependsOn []string       `json:"dependsOn"`
	Inputs    map[string]any `json:"inputs"`
}

// Result is the plan, in the JSON shape of DESIGN.md section 7, tier 3.
type Result struct {
	Project   string     `json:"project"`
	Cloud     string     `json:"cloud"`
	Mode      string     `json:"mode"`
	Warnings  []string   `json:"warnings"`
	Resources []Resource `json:"resources"`
	// Outputs are the Project's outputs, secrets masked.
	Outputs map[string]any `json:"outputs"`
}

// Run loads, validates and plans a compose application. Invalid compose
// input returns a compose.Errors listing every problem.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Stack == "" {
		opts.Stack = "dev"
	}
	files := make([]string, len(opts.ComposeFiles))
	for i, f := range opts.ComposeFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		files[i] = abs
	}
	configInputs := map[string]property.Value{}
	for k, v := range opts.Config {
		configInputs[k] = property.New(v).WithSecret(true)
	}
	args := provider.ProjectArgs{ComposeFiles: files, ComposeYaml: opts.ComposeYAML, ProjectName: opts.ProjectName, Profiles: opts.Profiles,
		Variables: opts.Variables, Cloud: opts.Cloud, Mode: opts.Mode}
	if len(opts.Config) > 0 {
		config := pulumi.StringMap{}
		for k, v := range opts.Config {
			config[k] = pulumi.ToSecret(pulumi.String(v)).(pulumi.StringOutput)
		}
		args.Config = config
	}

	// Validate first, so that invalid input fails with every problem listed
	// and without starting the provider.
	cloud, m, err := provider.Settings(ctx, args)
	if err != nil {
		return nil, err
	}
	if opts.Region == "" {
		opts.Region = DefaultRegionFor(cloud)
	}
	wd := "."
	if len(files) > 0 {
		wd = filepath.Dir(files[0])
	}
	project, warnings, err := provider.LoadCompose(ctx, args, wd)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, provider.DeployWarnings(project, cloud, m, opts.Domain)...)
	if cloud == provider.CloudAzure {
		if err := azure.CheckLimits(project); err != nil {
			return nil, err
		}
	} else if err := aws.CheckLimits(project); err != nil {
		return nil, err
	}

	inputs := map[string]property.Value{
		"cloud": property.New(cloud),
		"mode":  property.New(string(m)),
	}
	if cloud == provider.CloudAzure {
		inputs["azure"] = property.New(property.NewMap(map[string]property.Value{"location": property.New(opts.Region)}))
	}
	if opts.ComposeYAML != "" {
		inputs["composeYaml"] = property.New(opts.ComposeYAML)
	} else {
		inputs["composeFiles"] = property.New(toValues(files))
	}
	if opts.ProjectName != "" {
		inputs["projectName"] = property.New(opts.ProjectName)
	}
	if opts.Domain != "" {
		inputs["domain"] = property.New(opts.Domain)
	}
	if len(opts.Profiles) > 0 {
		inputs["profiles"] = property.New(toValues(opts.Profiles))
	}
	if len(opts.Variables) > 0 {
		vars := map[string]property.Value{}
		for k, v := range opts.Variables {
			vars[k] = property.New(v)
		}
		inputs["variables"] = property.New(property.NewMap(vars))
	}
	if len(configInputs) > 0 {
		inputs["config"] = property.New(property.NewMap(configInputs))
	}
	resources, state, err := Construct(ctx, Target{Token: "defang:index:Project", Name: compose.DNSLabel(project.Name),
		Stack: opts.Stack, Project: project.Name, Region: opts.Region, StackConfig: opts.StackConfig, revealSecrets: opts.revealSecrets}, property.NewMap(inputs))
	var refused Refused
	if errors.As(err, &refused) {
		return nil, refused.withComposeNames(project)
	}
	if err != nil {
		return nil, err
	}

	res := &Result{Project: project.Name, Cloud: cloud, Mode: string(m), Warnings: []string{}, Resources: resources,
		Outputs: propjson.Map(state)}
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, w.String())
	}
	return res, nil
}

// Target names the component to construct and the fake world around it.
type Target struct {
	Token   string // e.g. defang:index:Project, defang:aws:Network
	Name    string
	Stack   string // default "dev"
	Project string // the Pulumi project in URNs
	Region  string // default us-east-1
	// StackConfig is the stack's configuration, as Options.StackConfig.
	StackConfig map[string]string

	revealSecrets bool // see Options.revealSecrets
}

// Construct runs one component of this provider under the mock monitor and
// returns every resource it registered (sorted by URN, itself included) and
// its outputs. Component tests use it directly.
func Construct(ctx context.Context, t Target, inputs property.Map) ([]Resource, property.Map, error) {
	if t.Stack == "" {
		t.Stack = "dev"
	}
	if t.Region == "" {
		t.Region = DefaultRegion
	}
	if t.Project == "" {
		t.Project = "test"
	}
	prov, err := provider.New()
	if err != nil {
		return nil, property.Map{}, err
	}
	mocks := newMonitor(t.Region, t.Stack, t.Project)
	mocks.reveal = t.revealSecrets
	server, err := integration.NewServer(ctx, provider.Name, semver.MustParse("1.0.0"),
		integration.WithProvider(prov), integration.WithMocks(mocks.monitor()))
	if err != nil {
		return nil, property.Map{}, err
	}
	urn := presource.NewURN(tokens.QName(t.Stack), tokens.PackageName(t.Project), "", tokens.Type(t.Token), t.Name)
	stackConfig := map[pconfig.Key]string{}
	for k, v := range t.StackConfig {
		key, err := pconfig.ParseKey(k)
		if err != nil {
			return nil, property.Map{}, fmt.Errorf("stack config key %q: %w", k, err)
		}
		stackConfig[key] = v
	}
	resp, err := server.Construct(p.ConstructRequest{Urn: urn, Inputs: inputs, Config: stackConfig})
	// What the cloud would refuse comes first: a registration the mock
	// let through for the sake of listing every violation may have failed
	// the component later in less readable words.
	if refused := mocks.refused(); refused != nil {
		return nil, property.Map{}, refused
	}
	if err != nil {
		return nil, property.Map{}, err
	}
	return mocks.resources(), resp.State, nil
}

func toValues(ss []string) property.Array {
	vals := make([]property.Value, len(ss))
	for i, s := range ss {
		vals[i] = property.New(s)
	}
	return property.NewArray(vals)
}

// monitor records registrations and fakes the cloud's answers.
type monitor struct {
	region, stack, project string
	reveal                 bool // render secrets with their values (tests only)

	mu         sync.Mutex
	byURN      map[string]Resource
	typeByURN  map[string]string
	violations []violationAt // what the cloud would refuse, by resource
}

func newMonitor(region, stack, project string) *monitor {
	return &monitor{region: region, stack: stack, project: project, byURN: map[string]Resource{}}
}

func (m *monitor) monitor() *integration.MockResourceMonitor {
	return &integration.MockResourceMonitor{
		CallF:        m.call,
		NewResourceF: m.newResource,
	}
}

func (m *monitor) call(args integration.MockCallArgs) (property.Map, error) {
	out, err := fakecloud.AWSInvoke(string(args.Token), m.region, args.Args)
	var unknown *fakecloud.UnknownInvokeError
	if errors.As(err, &unknown) {
		return property.Map{}, fmt.Errorf("the offline plan has no answer for the invoke %s", args.Token)
	}
	return out, err
}

func (m *monitor) newResource(args integration.MockResourceArgs) (string, property.Map, error) {
	req := args.RegisterRPC
	parent := m.normalize(req.GetParent())
	parentType := tokens.Type("")
	if parent != "" {
		if pu := presource.URN(parent); pu.QualifiedType() != presource.RootStackType {
			parentType = pu.QualifiedType()
		}
	}
	urn := string(presource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType, args.TypeToken, args.Name))

	deps := map[string]bool{}
	for _, d := range req.GetDependencies() {
		deps[m.normalize(d)] = true
	}
	for _, pd := range req.GetPropertyDependencies() {
		for _, d := range pd.GetUrns() {
			deps[m.normalize(d)] = true
		}
	}
	depList := make([]string, 0, len(deps))
	for d := range deps {
		depList = append(depList, d)
	}
	sort.Strings(depList)

	m.mu.Lock()
	m.byURN[urn] = Resource{URN: urn, Type: string(args.TypeToken), Name: args.Name, Parent: parent,
		Custom: args.Custom, DependsOn: depList, Inputs: inputsOf(args.Inputs, m.reveal)}
	m.mu.Unlock()

	if !args.Custom {
		return "", property.Map{}, nil
	}
	// The cloud's rules, for every type of either cloud: autoname as the
	// real provider's Check would, then check every input. A violation is
	// recorded rather than returned, and the resource registered with the
	// name forced past its limit, so that one plan lists all of them
	// (Construct then fails with the lot).
	typ := string(args.TypeToken)
	named, err := fakecloud.Autoname(typ, args.Name, args.Inputs)
	vs := cloudrules.Check(typ, args.Name, named)
	if err != nil {
		// The real provider stops at the autonaming error: the name it
		// could not make is not checked further.
		refusal := autonameViolation(typ, args.Name, err)
		kept := cloudrules.Violations{refusal}
		for _, v := range vs {
			if v.Property != refusal.Property {
				kept = append(kept, v)
			}
		}
		vs = kept
	}
	if len(vs) > 0 {
		m.mu.Lock()
		for _, v := range vs {
			m.violations = append(m.violations, violationAt{urn: urn, v: v})
		}
		m.mu.Unlock()
	}
	id, state := m.fakeState(typ, args.Name, named)
	return id, state, nil
}

// autonameViolation is the real provider's autonaming error as a violation
// of the type's name property.
func autonameViolation(typ, name string, err error) cloudrules.Violation {
	v := cloudrules.Violation{Type: typ, Name: name, Message: err.Error()}
	if rules, ok := cloudrules.For(typ); ok && rules.Autoname != nil {
		v.Property, v.Source = rules.Autoname.Property, rules.Autoname.Source
	}
	return v
}

// normalize rewrites a URN that the test monitor minted (with its own
// placeholder stack and project) into the plan's stack and project, so that
// parents and dependencies name the URNs listed in the plan.
func (m *monitor) normalize(urn string) string {
	if urn == "" {
		return ""
	}
	u := presource.URN(urn)
	if !u.IsValid() {
		return urn
	}
	return string(presource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), "", u.QualifiedType(), u.Name()))
}

// fakeState returns deterministic outputs shaped like the real provider's
// (see fakecloud.AWSState and AzureState). The ImageBuilds of both clouds,
// served by our own plugin rather than the cloud's provider, additionally
// report the image they would have pushed: the repository at the context
// digest.
func (m *monitor) fakeState(typ, name string, inputs property.Map) (string, property.Map) {
	if typ == "random:index/randomPassword:RandomPassword" {
		// A managed store's generated password: secret, as the random
		// provider marks it.
		return "none", inputs.Set("result", property.New(fakecloud.RandomPassword(name)).WithSecret(true))
	}
	if typ == "random:index/randomId:RandomId" {
		return fakecloud.RandomID(name, inputs)
	}
	var id string
	var state property.Map
	if strings.HasPrefix(typ, "azure-native:") || strings.HasPrefix(typ, "defang:azure:") {
		id, state = fakecloud.AzureState(typ, name, inputs)
	} else {
		// AWSState's error is the autonaming and rules newResource has
		// already applied and recorded.
		id, state, _ = fakecloud.AWSState(typ, name, m.region, inputs)
	}
	if typ == "defang:aws:ImageBuild" || typ == "defang:azure:ImageBuild" {
		str := func(key string) string {
			if v, ok := inputs.GetOk(key); ok && v.IsString() {
				return v.AsString()
			}
			return ""
		}
		repo, digest := str("repositoryUrl"), str("contextDigest")
		state = state.Set("imageUri", property.New(repo+"@"+digest))
		state = state.Set("imageDigest", property.New(digest))
	}
	return id, state
}

func (m *monitor) resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Resource, 0, len(m.byURN))
	for _, r := range m.byURN {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// inputsOf renders a resource's inputs, secrets masked unless reveal (tests).
func inputsOf(m property.Map, reveal bool) map[string]any {
	if reveal {
		return propjson.Revealing(m)
	}
	return propjson.Map(m)
}

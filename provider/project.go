package provider

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/DefangLabs/pulumi-defang/provider/aws"
	"github.com/DefangLabs/pulumi-defang/provider/azure"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// Clouds a Project deploys to.
const (
	CloudAWS   = "aws"
	CloudAzure = "azure"
)

// ProjectArgs are the inputs of defang:index:Project.
type ProjectArgs struct {
	ComposeFiles []string              `pulumi:"composeFiles,optional"`
	ComposeYaml  string                `pulumi:"composeYaml,optional"`
	ProjectName  string                `pulumi:"projectName,optional"`
	Profiles     []string              `pulumi:"profiles,optional"`
	Variables    map[string]string     `pulumi:"variables,optional"`
	Config       pulumi.StringMapInput `pulumi:"config,optional" provider:"secret"`
	Cloud        string                `pulumi:"cloud,optional"`
	Mode         string                `pulumi:"mode,optional"`
	Domain       string                `pulumi:"domain,optional"`
	Aws          *AwsArgs              `pulumi:"aws,optional"`
	Azure        *AzureArgs            `pulumi:"azure,optional"`
}

func (a *ProjectArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ComposeFiles, "Compose files, merged in order like `docker compose -f a -f b`. Default: compose.yaml (or compose.yml, docker-compose.yaml, docker-compose.yml) and its override file in the program directory. Give composeFiles or composeYaml, not both.")
	an.Describe(&a.ComposeYaml, "The compose application as inline YAML, instead of composeFiles. Relative build contexts resolve from the program directory.")
	an.Describe(&a.ProjectName, "The project name. Default: the compose `name:`, then the program directory's name, normalised as compose does.")
	an.Describe(&a.Profiles, "Compose profiles to enable.")
	an.Describe(&a.Variables, "Interpolation values for `${NAME}` in the compose file. A `.env` file next to the compose file is read as compose does; these win over it. The process environment is not read, so every machine plans the same.")
	an.Describe(&a.Config, "Secret configuration: supplies every environment key whose compose value is null and every `${NAME}` left in an environment value. Values are stored in the cloud's secret store and reach containers as secret references, never as plain environment values.")
	an.Describe(&a.Cloud, "aws or azure. Default: the provider config `defang:cloud`, then the DEFANG_PROVIDER environment variable.")
	an.Describe(&a.Mode, "affordable, balanced or high_availability. Default: the provider config `defang:mode`, then DEFANG_MODE, then affordable.")
	an.Describe(&a.Domain, "A public DNS zone you own. AWS (a Route53 zone): every ingress HTTP port gets https://<service>--<port>.<domain> with a certificate validated through DNS, and HTTP redirects to HTTPS; without it, endpoints are the load balancer's HTTP name. Azure: every app with external HTTP ingress also answers https://<service>--<port>.<domain> with a managed certificate (records created in the Azure DNS zone of azure.dnsZoneResourceGroupName, else listed in dnsRecords); its https://<app>.<environment domain> stays.")
	an.Describe(&a.Aws, "AWS resources the stack already owns, to adopt instead of creating.")
	an.Describe(&a.Azure, "Azure location, and resources the stack already owns.")
}

// AwsArgs adopt AWS resources that a surrounding stack owns.
type AwsArgs struct {
	VpcId            pulumi.StringInput      `pulumi:"vpcId,optional"`
	PublicSubnetIds  pulumi.StringArrayInput `pulumi:"publicSubnetIds,optional"`
	PrivateSubnetIds pulumi.StringArrayInput `pulumi:"privateSubnetIds,optional"`
	PublicZoneId     pulumi.StringInput      `pulumi:"publicZoneId,optional"`
}

func (a *AwsArgs) Annotate(an infer.Annotator) {
	an.SetToken("index", "AwsArgs")
	an.Describe(&a.VpcId, "An existing VPC to deploy into; no VPC, subnet, gateway or route is created. Needs publicSubnetIds and privateSubnetIds.")
	an.Describe(&a.PublicSubnetIds, "Public subnets of vpcId, for the load balancers (and tasks in affordable mode).")
	an.Describe(&a.PublicZoneId, "The Route53 public hosted zone of domain; looked up by the domain's name when not given.")
	an.Describe(&a.PrivateSubnetIds, "Private subnets of vpcId, for tasks in balanced and high_availability modes; they need a route to the internet (NAT) to pull images.")
}

// AzureArgs place the project on Azure.
type AzureArgs struct {
	Location                 string `pulumi:"location,optional"`
	ResourceGroupName        string `pulumi:"resourceGroupName,optional"`
	DnsZoneResourceGroupName string `pulumi:"dnsZoneResourceGroupName,optional"`
}

func (a *AzureArgs) Annotate(an infer.Annotator) {
	an.SetToken("index", "AzureArgs")
	an.Describe(&a.Location, "The Azure region, e.g. eastus. Default: the stack config azure-native:location.")
	an.Describe(&a.ResourceGroupName, "An existing resource group to deploy into (none is created). Default: a new group defang-<project>-<stack>-<location>.")
	an.Describe(&a.DnsZoneResourceGroupName, "The resource group of the Azure DNS zone named by domain: the custom domains' CNAME, A and TXT records are created there. Without it they are listed in dnsRecords.")
}

// ServiceOutput is what the Project reports about one service.
type ServiceOutput struct {
	Kind            string   `pulumi:"kind"`
	Image           string   `pulumi:"image"`
	PrivateHostname string   `pulumi:"privateHostname"`
	Urls            []string `pulumi:"urls"`
}

func (s *ServiceOutput) Annotate(a infer.Annotator) {
	a.SetToken("index", "ServiceOutput")
	a.Describe(&s.Kind, "ingress (public: through the AWS load balancer or Azure external ingress), private (ports reachable by the project's services), worker (no ports) or managed (a managed store: RDS, ElastiCache, DocumentDB, Azure Database for PostgreSQL, Azure Managed Redis; or an AI Foundry account on Azure).")
	a.Describe(&s.Image, "The image the service runs; built images are referenced by digest.")
	a.Describe(&s.PrivateHostname, "The name other services reach it by (a managed store's endpoint; on Azure the Container App name, or an AI Foundry account's OpenAI base URL); empty for workers.")
	a.Describe(&s.Urls, "Public URLs of its ingress ports.")
}

// ServiceOutputMapOutput is an Output of map[string]ServiceOutput.
type ServiceOutputMapOutput struct{ *pulumi.OutputState }

func (ServiceOutputMapOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*map[string]ServiceOutput)(nil)).Elem()
}

func init() { pulumi.RegisterOutputType(ServiceOutputMapOutput{}) }

// Project is defang:index:Project.
type Project struct {
	pulumi.ResourceState

	ProjectName pulumi.StringOutput    `pulumi:"projectName"`
	Endpoints   pulumi.StringMapOutput `pulumi:"endpoints"`
	Services    ServiceOutputMapOutput `pulumi:"services"`

	VpcId               pulumi.StringOutput       `pulumi:"vpcId"`
	PublicSubnetIds     pulumi.StringArrayOutput  `pulumi:"publicSubnetIds"`
	PrivateSubnetIds    pulumi.StringArrayOutput  `pulumi:"privateSubnetIds"`
	ClusterName         pulumi.StringOutput       `pulumi:"clusterName"`
	LoadBalancerDnsName pulumi.StringOutput       `pulumi:"loadBalancerDnsName"`
	SecurityGroupIds    pulumi.StringMapOutput    `pulumi:"securityGroupIds"`
	DnsRecords          spec.DnsRecordArrayOutput `pulumi:"dnsRecords"`

	ResourceGroupName pulumi.StringOutput `pulumi:"resourceGroupName"`
	EnvironmentId     pulumi.StringOutput `pulumi:"environmentId"`
}

func (p *Project) Annotate(a infer.Annotator) {
	a.SetToken("index", "Project")
	a.Describe(&p, "A Docker Compose application deployed, production-grade, into your own cloud account: private networking, a load balancer, one container service per compose service, images built in the cloud, secrets in the cloud's secret store and logs, sized by a deployment mode.")
	a.Describe(&p.ProjectName, "The compose project name.")
	a.Describe(&p.Endpoints, "Service name to its public URL (the first ingress port).")
	a.Describe(&p.Services, "Service name to what was deployed for it.")
	a.Describe(&p.VpcId, "AWS: the VPC id.")
	a.Describe(&p.PublicSubnetIds, "AWS: public subnet ids.")
	a.Describe(&p.PrivateSubnetIds, "AWS: private subnet ids.")
	a.Describe(&p.ClusterName, "AWS: the ECS cluster name.")
	a.Describe(&p.LoadBalancerDnsName, "AWS: DNS name of the application load balancer (empty without HTTP ingress).")
	a.Describe(&p.SecurityGroupIds, "AWS: service name to its security group id.")
	a.Describe(&p.DnsRecords, "DNS records to add by hand: on AWS the validation and target records of a service's domainname outside the Project's domain; on Azure the CNAME/A and TXT (asuid, _dnsauth) records of custom domains not in a managed Azure DNS zone. HTTPS on such a name starts on the first update after they resolve and the certificate is issued.")
	a.Describe(&p.ResourceGroupName, "Azure: the resource group.")
	a.Describe(&p.EnvironmentId, "Azure: the Container Apps environment id.")
}

// Config is the provider configuration (`defang:cloud`, `defang:mode`).
type Config struct {
	Cloud string `pulumi:"cloud,optional"`
	Mode  string `pulumi:"mode,optional"`
}

func (c *Config) Annotate(a infer.Annotator) {
	a.Describe(&c.Cloud, "Default cloud of every Project: aws or azure.")
	a.Describe(&c.Mode, "Default deployment mode of every Project.")
}

// Settings resolves cloud and mode: the Project input, then the provider
// config, then DEFANG_PROVIDER / DEFANG_MODE; mode defaults to affordable.
func Settings(ctx context.Context, args ProjectArgs) (string, mode.Mode, error) {
	cfg := providerConfig(ctx)
	cloud := firstNonEmpty(args.Cloud, cfg.Cloud, os.Getenv("DEFANG_PROVIDER"))
	switch cloud {
	case CloudAWS, CloudAzure:
	case "":
		return "", "", fmt.Errorf("no cloud chosen: set the Project's cloud input, the provider config defang:cloud, or DEFANG_PROVIDER (aws or azure)")
	default:
		return "", "", fmt.Errorf("unknown cloud %q: use aws or azure", cloud)
	}
	m, err := mode.Parse(firstNonEmpty(args.Mode, cfg.Mode, os.Getenv("DEFANG_MODE")))
	return cloud, m, err
}

// providerConfig reads the provider config when a provider was configured
// (never in unit tests that construct directly).
func providerConfig(ctx context.Context) (cfg Config) {
	defer func() {
		if recover() != nil {
			cfg = Config{}
		}
	}()
	return infer.GetConfig[Config](ctx)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// LoadCompose loads and validates the Project's compose application.
func LoadCompose(ctx context.Context, args ProjectArgs, workingDir string) (*compose.Project, []compose.Diagnostic, error) {
	if len(args.ComposeFiles) > 0 && args.ComposeYaml != "" {
		return nil, nil, fmt.Errorf("give composeFiles or composeYaml, not both")
	}
	configNames, known := suppliedConfigNames(args.Config)
	return compose.Load(ctx, compose.LoadOptions{
		ComposeFiles: args.ComposeFiles, ComposeYAML: args.ComposeYaml, WorkingDir: workingDir,
		ProjectName: args.ProjectName, Profiles: args.Profiles, Variables: args.Variables,
		ConfigNames: configNames, CheckConfig: known,
	})
}

// suppliedConfigNames returns the names in the config input when they are
// known while the Project is constructed: a map of values (the offline plan,
// a Go program). The SDKs send the whole map as one secret, which arrives as
// an Output; its names are checked once it resolves (aws.Deploy).
func suppliedConfigNames(config pulumi.StringMapInput) ([]string, bool) {
	if config == nil {
		return nil, true
	}
	m, ok := config.(pulumi.StringMap)
	if !ok {
		return nil, false
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, true
}

// DeployWarnings are the warnings that depend on where and how the compose
// application is deployed, beside those of the compose file itself: the
// mode's, and the cloud's (plain HTTP ports, capacity that differs from the
// mode's). The offline plan reports the same.
func DeployWarnings(project *compose.Project, cloud string, m mode.Mode, domain string) []compose.Diagnostic {
	out := compose.ModeWarnings(project, string(m))
	if cloud == CloudAzure {
		return append(out, azure.Warnings(project)...)
	}
	return append(out, aws.Warnings(project, m, domain)...)
}

// NewProject loads the compose application and deploys it to the chosen cloud.
func NewProject(ctx *pulumi.Context, name string, args ProjectArgs, opts ...pulumi.ResourceOption) (*Project, error) {
	comp := &Project{}
	if err := ctx.RegisterComponentResource("defang:index:Project", name, comp, opts...); err != nil {
		return nil, err
	}
	cloud, m, err := Settings(ctx.Context(), args)
	if err != nil {
		return nil, err
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	project, warnings, err := LoadCompose(ctx.Context(), args, wd)
	if project != nil {
		warnings = append(warnings, DeployWarnings(project, cloud, m, args.Domain)...)
	}
	for _, w := range warnings {
		_ = ctx.Log.Warn(w.String(), &pulumi.LogArgs{Resource: comp})
	}
	if err != nil {
		return nil, err
	}

	if cloud == CloudAzure {
		err = deployAzure(ctx, comp, project, m, args)
	} else {
		err = deployAWS(ctx, comp, project, m, args)
	}
	if err != nil {
		return nil, err
	}
	comp.ProjectName = pulumi.String(project.Name).ToStringOutput()
	return comp, outputs.Register(ctx, comp)
}

// deployAWS deploys to AWS and sets the Project's outputs (the Azure ones
// empty).
func deployAWS(ctx *pulumi.Context, comp *Project, project *compose.Project, m mode.Mode, args ProjectArgs) error {
	awsOpts := aws.Options{Mode: m, Config: args.Config, Domain: args.Domain}
	if args.Aws != nil {
		awsOpts.VpcId, awsOpts.PublicSubnetIds, awsOpts.PrivateSubnetIds = args.Aws.VpcId, args.Aws.PublicSubnetIds, args.Aws.PrivateSubnetIds
		awsOpts.PublicZoneId = args.Aws.PublicZoneId
	}
	res, err := aws.Deploy(ctx, comp, project, awsOpts)
	if err != nil {
		return err
	}
	comp.Endpoints = res.Endpoints
	comp.Services = serviceOutputs(res.Services)
	comp.VpcId = res.VpcId
	comp.PublicSubnetIds = res.PublicSubnetIds
	comp.PrivateSubnetIds = res.PrivateSubnetIds
	comp.ClusterName = res.ClusterName
	comp.LoadBalancerDnsName = res.LoadBalancerDnsName
	comp.SecurityGroupIds = res.SecurityGroupIds
	comp.DnsRecords = res.DnsRecords
	comp.ResourceGroupName = pulumi.String("").ToStringOutput()
	comp.EnvironmentId = pulumi.String("").ToStringOutput()
	return nil
}

// deployAzure deploys to Azure and sets the Project's outputs (the AWS ones
// empty). The location is azure.location, else the stack's
// azure-native:location, as the azure-native provider itself defaults.
func deployAzure(ctx *pulumi.Context, comp *Project, project *compose.Project, m mode.Mode, args ProjectArgs) error {
	opts := azure.Options{Mode: m, Config: args.Config, Domain: args.Domain}
	if args.Azure != nil {
		opts.Location, opts.ResourceGroupName = args.Azure.Location, args.Azure.ResourceGroupName
		opts.DnsZoneResourceGroupName = args.Azure.DnsZoneResourceGroupName
	}
	if opts.Location == "" {
		opts.Location = config.Get(ctx, "azure-native:location")
	}
	res, err := azure.Deploy(ctx, comp, project, opts)
	if err != nil {
		return err
	}
	empty := pulumi.String("").ToStringOutput()
	comp.Endpoints = res.Endpoints
	comp.Services = serviceOutputs(res.Services)
	comp.VpcId, comp.ClusterName, comp.LoadBalancerDnsName = empty, empty, empty
	comp.PublicSubnetIds = pulumi.StringArray{}.ToStringArrayOutput()
	comp.PrivateSubnetIds = pulumi.StringArray{}.ToStringArrayOutput()
	comp.SecurityGroupIds = pulumi.StringMap{}.ToStringMapOutput()
	comp.DnsRecords = res.DnsRecords
	comp.ResourceGroupName = res.ResourceGroupName
	comp.EnvironmentId = res.EnvironmentId
	return nil
}

// serviceOutputs resolves the per-service images and URLs into one output.
func serviceOutputs(services map[string]spec.ServiceInfo) ServiceOutputMapOutput {
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []any
	for _, n := range names {
		parts = append(parts, services[n].Image, services[n].PrivateHostname, services[n].Urls)
	}
	return pulumi.All(parts...).ApplyT(func(v []any) map[string]ServiceOutput {
		out := map[string]ServiceOutput{}
		for i, n := range names {
			out[n] = ServiceOutput{Kind: services[n].Kind, Image: v[3*i].(string), PrivateHostname: v[3*i+1].(string), Urls: v[3*i+2].([]string)}
		}
		return out
	}).(ServiceOutputMapOutput)
}

// plumbing matches the wrappers the Pulumi Go SDK and gRPC put around an
// error on its way out of a component: output marshaling
// (`marshaling properties: awaiting input property "x": `, once per output
// and resource input the error travelled through), the context's wait
// (`waiting for RPCs: `) and gRPC statuses (`rpc error: code = Unknown desc
// = `). None of it tells the user anything: the sentence at the end does.
var plumbing = regexp.MustCompile(`marshaling properties: |awaiting input property "[^"]*": |waiting for RPCs: |rpc error: code = [A-Za-z]+ desc = `)

// UserError is err as a user should read it: the plumbing removed, the
// sentences our code wrote kept ("service \"db\": ..."). It still wraps err,
// so errors.As finds a compose.Errors, and a gRPC status inside keeps its
// code and details (grpc's status.FromError then takes our message).
func UserError(err error) error {
	if err == nil {
		return nil
	}
	msg := strings.TrimSpace(plumbing.ReplaceAllString(err.Error(), ""))
	if msg == err.Error() {
		return err
	}
	if msg == "" {
		msg = "the deployment failed without a reason"
	}
	return &readableError{msg: msg, err: err}
}

type readableError struct {
	msg string
	err error
}

func (e *readableError) Error() string { return e.msg }
func (e *readableError) Unwrap() error { return e.err }

// ReadableConstructErrors makes every Construct error of prov a UserError.
// Errors raised inside an ApplyT (a secret password that breaks the cloud's
// rule, a config value that is missing once the config map resolves) only
// surface when the SDK marshals the component's outputs after the
// constructor returned, so this is the one boundary that sees them all; it
// serves `pulumi up` and the offline plan alike.
func ReadableConstructErrors(prov p.Provider) p.Provider {
	construct := prov.Construct
	if construct == nil {
		return prov
	}
	prov.Construct = func(ctx context.Context, req p.ConstructRequest) (p.ConstructResponse, error) {
		resp, err := construct(ctx, req)
		return resp, UserError(err)
	}
	return prov
}

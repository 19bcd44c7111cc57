package aws

import (
	"encoding/json"
	"fmt"
	"strings"

	awssdk "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/llm"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// The LLM gateway: an OpenAI-compatible API in front of Amazon Bedrock for
// compose services that are model providers (`provider: {type: model}`) and
// for top-level compose `models:`.
//
// # Image
//
// The gateway runs the LiteLLM proxy (https://github.com/BerriAI/litellm,
// MIT), pinned to the release ghcr.io/berriai/litellm:v1.80.11-stable.1
// (https://github.com/berriai/litellm/pkgs/container/litellm lists that tag;
// its linux/amd64 image is sha256:753ff09ed2df3f47fe157faa54171e121d0b1adfeb8c06e5c112179aec4db55a,
// and ECS resolves the tag to that digest when it deploys). Chosen because:
//   - it is the candidate with published, versioned images. Defang's own
//     defangio/openai-access-gateway is the natural fit (it is what the
//     Defang CLI deploys for model providers), but it is published only as
//     `latest` and untagged commit builds, and the aws-samples
//     bedrock-access-gateway image only as `latest` in a private ECR
//     registry: neither can be pinned to a version;
//   - it speaks Bedrock (Converse and InvokeModel, cross-region inference
//     profiles, Titan embeddings) behind the OpenAI chat, embeddings and
//     models APIs, streamed or not;
//   - its model list is static configuration, so the task needs only
//     bedrock:InvokeModel* on the configured models (no list calls);
//   - it serves under a root path (SERVER_ROOT_PATH, LiteLLM 1.72.3 and
//     later), which gives the /api/v1/ base URL of Defang's contract.
//
// # Contract
//
//   - Port 80, base URL http://<service>/api/v1/ (corpus: LLM_URL=http://llm/api/v1/):
//     SERVER_ROOT_PATH=/api/v1 puts LiteLLM's /chat/completions, /embeddings
//     and /models under /api/v1/. The gateway registers `<service>` in the
//     project's private DNS namespace like every service with a port, and
//     the VPC's DHCP options make the short name resolve too.
//   - Models: every alias of LlmGatewayArgs.Models is a model name clients
//     may send; "default" and any other name ("*") go to the first one.
//     Each alias maps to a Bedrock model with BedrockModelFor for the
//     region (see bedrock.go); the mapping is computed when the region is
//     known and reaches the container as its configuration.
//   - API key: with apiKey set (the compose service's OPENAI_API_KEY), the
//     gateway requires `Authorization: Bearer <apiKey>`; it is LiteLLM's
//     master key, compared as is (LiteLLM checks the master key before it
//     asks for its own "sk-" virtual-key format, so FAKE_TOKEN works). The
//     key is stored as an SSM SecureString and reaches the container as a
//     secret reference, never as plain text. Without apiKey the gateway
//     accepts any key (it is reachable only from the project's networks),
//     like Defang's gateway with an empty OPENAI_API_KEY.
//   - Permissions: the task role may invoke exactly the gateway's Bedrock
//     models (BedrockTaskPolicy of its aliases).
//   - Size: at least 0.5 vCPU and 2 GiB (LiteLLM needs about 1 GiB per
//     worker and runs one); two tasks in high_availability.
//
// The config reaches LiteLLM as an environment value that the container's
// shell writes to a file before it starts (ECS tasks have no config files);
// JSON is YAML, so encoding/json renders it deterministically.

// LlmGatewayImage is the pinned gateway image (see above).
const LlmGatewayImage = "ghcr.io/berriai/litellm:v1.80.11-stable.1"

// LlmGatewayPort is the port the gateway listens on.
const LlmGatewayPort = 80

// LlmGatewayPath is the base path of the OpenAI API on the gateway.
const LlmGatewayPath = "/api/v1/"

// Gateway task size floors.
const (
	gatewayMinCPUs      = 0.5
	gatewayMinMemoryMiB = 2048
)

const (
	gatewayConfigEnv = "LITELLM_CONFIG_YAML"
	gatewayKeyEnv    = "LITELLM_MASTER_KEY"
	gatewayConfig    = "/tmp/litellm.yaml"
)

// LlmGatewayArgs are the inputs of defang:aws:LlmGateway.
type LlmGatewayArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`
	// Models are the aliases the gateway serves; the first is the default.
	Models []string           `pulumi:"models"`
	ApiKey pulumi.StringInput `pulumi:"apiKey,optional" provider:"secret"`
	// PrivateDomain is the project's private DNS domain, for the url output.
	PrivateDomain string `pulumi:"privateDomain,optional"`

	// Placement, passed through to the child FargateService.
	ClusterArn              pulumi.StringInput      `pulumi:"clusterArn"`
	VpcId                   pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIds               pulumi.StringArrayInput `pulumi:"subnetIds"`
	AssignPublicIp          pulumi.BoolInput        `pulumi:"assignPublicIp,optional"`
	PrivateNamespaceId      pulumi.StringInput      `pulumi:"privateNamespaceId,optional"`
	NetworkSecurityGroupIds pulumi.StringArrayInput `pulumi:"networkSecurityGroupIds,optional"`
	Region                  pulumi.StringInput      `pulumi:"region"`
	Cpus                    float64                 `pulumi:"cpus,optional"`
	MemoryMiB               int                     `pulumi:"memoryMiB,optional"`

	// After holds the resources the gateway's ECS service starts after
	// (the cluster's capacity-provider association). Go callers only: it
	// is not part of the schema.
	After []pulumi.Resource
}

func (a *LlmGatewayArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.ServiceName, "The compose service (or top-level model) the gateway stands for; peers reach it as `<serviceName>`.")
	an.Describe(&a.Mode, "Deployment mode: capacity, update style and log retention follow it; high_availability runs two tasks.")
	an.Describe(&a.Models, "Model aliases the gateway serves (e.g. ai/smollm2, chat-default); the first also answers \"default\" and any unknown model name. Each maps to an Amazon Bedrock model for the region.")
	an.Describe(&a.ApiKey, "The API key clients must send as a bearer token (the compose service's OPENAI_API_KEY). Stored as an SSM SecureString. Without it the gateway accepts any key.")
	an.Describe(&a.PrivateDomain, "The project's private DNS domain; the url output is http://<serviceName>.<privateDomain>/api/v1/.")
	an.Describe(&a.ClusterArn, "The ECS cluster.")
	an.Describe(&a.VpcId, "The VPC of the gateway's security group.")
	an.Describe(&a.SubnetIds, "Subnets the gateway's tasks run in.")
	an.Describe(&a.AssignPublicIp, "Give tasks a public IP (needed without a NAT gateway: the gateway pulls its image and calls Bedrock).")
	an.Describe(&a.PrivateNamespaceId, "Cloud Map namespace to register `<serviceName>` in.")
	an.Describe(&a.NetworkSecurityGroupIds, "Security groups of the compose networks whose members may call the gateway.")
	an.Describe(&a.Region, "The AWS region: Bedrock models and inference profiles are chosen for it.")
	an.Describe(&a.Cpus, "Reserved vCPUs (at least 0.5).")
	an.Describe(&a.MemoryMiB, "Reserved memory in MiB (at least 2048).")
}

// LlmGateway is defang:aws:LlmGateway.
type LlmGateway struct {
	pulumi.ResourceState

	Url             pulumi.StringOutput `pulumi:"url"`
	ServiceName     pulumi.StringOutput `pulumi:"serviceName"`
	SecurityGroupId pulumi.StringOutput `pulumi:"securityGroupId"`

	service *FargateService
}

// ECSService is the ECS service that dependents of the gateway start after.
func (g *LlmGateway) ECSService() pulumi.Resource { return g.service.ECSService() }

func (g *LlmGateway) Annotate(a infer.Annotator) {
	a.SetToken("aws", "LlmGateway")
	a.Describe(&g, "An OpenAI-compatible API (chat completions, embeddings, models) in front of Amazon Bedrock, for compose model providers and top-level models: a pinned LiteLLM proxy on Fargate at http://<serviceName>/api/v1/, allowed to invoke exactly its models.")
	a.Describe(&g.Url, "The base URL of the OpenAI API: http://<serviceName>.<privateDomain>/api/v1/.")
	a.Describe(&g.ServiceName, "The ECS service name.")
	a.Describe(&g.SecurityGroupId, "The gateway's security group.")
}

// NewLlmGateway creates an LLM gateway service.
func NewLlmGateway(ctx *pulumi.Context, name string, args LlmGatewayArgs, opts ...pulumi.ResourceOption) (*LlmGateway, error) {
	comp := &LlmGateway{}
	if err := ctx.RegisterComponentResource("defang:aws:LlmGateway", name, comp, opts...); err != nil {
		return nil, err
	}
	if args.ServiceName == "" {
		return nil, fmt.Errorf("LLM gateway %q: serviceName is required", name)
	}
	models := uniqueInOrder(args.Models)
	if len(models) == 0 {
		return nil, fmt.Errorf("LLM gateway %q: models must name at least one model (e.g. ai/smollm2)", args.ServiceName)
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(comp)

	secrets := pulumi.StringMap{}
	withKey := args.ApiKey != nil
	if withKey {
		key, err := ssm.NewParameter(ctx, name+"-api-key", &ssm.ParameterArgs{
			Name:        pulumi.String("/defang/" + args.ProjectName + "/" + ctx.Stack() + "/" + args.ServiceName + "/api-key"),
			Type:        pulumi.String("SecureString"),
			Value:       pulumi.ToSecret(args.ApiKey.ToStringOutput()).(pulumi.StringOutput),
			Description: pulumi.Sprintf("API key of the LLM gateway %s of %s", args.ServiceName, args.ProjectName),
		}, parent)
		if err != nil {
			return nil, err
		}
		secrets[gatewayKeyEnv] = key.Arn
	}

	resolved := args.Region.ToStringOutput().ApplyT(func(region string) (map[string]string, error) {
		config, err := gatewayConfigFor(models, region, withKey)
		if err != nil {
			return nil, err
		}
		return map[string]string{gatewayConfigEnv: config, "AWS_REGION": region, "AWS_REGION_NAME": region}, nil
	}).(pulumi.StringMapOutput)

	account := awssdk.GetCallerIdentityOutput(ctx, awssdk.GetCallerIdentityOutputArgs{}, parent).AccountId()
	replicas := 1
	if m == mode.HighAvailability {
		replicas = 2 // one per zone at least: dependents keep their LLM through a zone outage
	}
	svc, err := NewFargateService(ctx, name, FargateServiceArgs{
		ProjectName: args.ProjectName, ServiceName: args.ServiceName, Mode: args.Mode,
		Container:  gatewayContainer(args.Cpus, args.MemoryMiB, replicas),
		Image:      pulumi.String(LlmGatewayImage),
		ClusterArn: args.ClusterArn, VpcId: args.VpcId, SubnetIds: args.SubnetIds,
		AssignPublicIp: args.AssignPublicIp, PrivateNamespaceId: args.PrivateNamespaceId,
		NetworkSecurityGroupIds: args.NetworkSecurityGroupIds,
		Secrets:                 secrets, Region: args.Region,
		ResolvedEnvironment: resolved,
		TaskPolicy:          BedrockTaskPolicy(args.Region, account, models),
		After:               args.After,
	}, parent)
	if err != nil {
		return nil, err
	}
	comp.service = svc
	comp.Url = pulumi.String(GatewayURL(args.ServiceName, args.PrivateDomain)).ToStringOutput()
	comp.ServiceName = svc.ServiceName
	comp.SecurityGroupId = svc.SecurityGroupId
	return comp, outputs.Register(ctx, comp)
}

// GatewayURL is the OpenAI base URL of the gateway of service:
// http://<service>.<privateDomain>/api/v1/ (http://<service>/api/v1/ without
// a domain).
func GatewayURL(service, privateDomain string) string {
	return "http://" + gatewayHost(service, privateDomain) + LlmGatewayPath
}

func gatewayHost(service, privateDomain string) string {
	if privateDomain == "" {
		return compose.DNSLabel(service)
	}
	return compose.DNSLabel(service) + "." + privateDomain
}

// gatewayContainer is the gateway's container: LiteLLM on port 80 under
// /api/v1, its configuration written from the environment at start.
func gatewayContainer(cpus float64, memoryMiB, replicas int) ContainerSpec {
	if cpus < gatewayMinCPUs {
		cpus = gatewayMinCPUs
	}
	if memoryMiB < gatewayMinMemoryMiB {
		memoryMiB = gatewayMinMemoryMiB
	}
	start := fmt.Sprintf(`printf '%%s' "$%s" > %s && exec litellm --config %s --host 0.0.0.0 --port %d --num_workers 1`,
		gatewayConfigEnv, gatewayConfig, gatewayConfig, LlmGatewayPort)
	return ContainerSpec{
		Entrypoint:  []string{"/bin/sh", "-c"},
		Command:     []string{start},
		Environment: map[string]string{"SERVER_ROOT_PATH": strings.TrimSuffix(LlmGatewayPath, "/")},
		Ports:       []ContainerPort{{Port: LlmGatewayPort, Protocol: compose.ProtocolTCP, Mode: compose.PortModeHost, AppProtocol: compose.AppProtocolHTTP}},
		Healthcheck: &ContainerHealthcheck{
			// LiteLLM's unauthenticated liveness route, under the root path.
			Test: []string{"CMD", "python3", "-c", fmt.Sprintf(
				"import urllib.request; urllib.request.urlopen('http://localhost:%d%shealth/liveliness')", LlmGatewayPort, LlmGatewayPath)},
			IntervalSeconds: 30, TimeoutSeconds: 5, Retries: 3, StartPeriodSeconds: 120,
		},
		Cpus: cpus, MemoryMiB: memoryMiB, Replicas: &replicas,
		Platform: "linux/amd64",
	}
}

type litellmParams struct {
	Model         string `json:"model"`
	AwsRegionName string `json:"aws_region_name"`
}

type litellmModelInfo struct {
	Mode string `json:"mode"`
}

type litellmModel struct {
	ModelName     string           `json:"model_name"`
	LitellmParams litellmParams    `json:"litellm_params"`
	ModelInfo     litellmModelInfo `json:"model_info"`
}

type litellmSettings struct {
	DropParams bool `json:"drop_params"`
}

type litellmGeneralSettings struct {
	MasterKey string `json:"master_key"`
}

type litellmConfig struct {
	ModelList       []litellmModel          `json:"model_list"`
	LitellmSettings litellmSettings         `json:"litellm_settings"`
	GeneralSettings *litellmGeneralSettings `json:"general_settings,omitempty"`
}

// gatewayConfigFor renders the LiteLLM configuration of a gateway serving
// models in region: one entry per alias, then "default" and "*" (any other
// name) for the first alias. drop_params drops OpenAI parameters a Bedrock
// model does not take instead of failing the request. With an API key the
// master key is read from the container's secret environment; the config
// itself holds no secret.
func gatewayConfigFor(models []string, region string, withKey bool) (string, error) {
	cfg := litellmConfig{LitellmSettings: litellmSettings{DropParams: true}}
	entry := func(name, alias string) litellmModel {
		m := ResolveBedrockModel(alias, region)
		return litellmModel{
			ModelName:     name,
			LitellmParams: litellmParams{Model: "bedrock/" + m.Id, AwsRegionName: region},
			ModelInfo:     litellmModelInfo{Mode: m.Kind},
		}
	}
	seen := map[string]bool{}
	for _, alias := range models {
		cfg.ModelList = append(cfg.ModelList, entry(alias, alias))
		seen[alias] = true
	}
	for _, name := range []string{"default", "*"} {
		if !seen[name] {
			cfg.ModelList = append(cfg.ModelList, entry(name, models[0]))
		}
	}
	if withKey {
		cfg.GeneralSettings = &litellmGeneralSettings{MasterKey: "os.environ/" + gatewayKeyEnv}
	}
	b, err := json.Marshal(cfg)
	return string(b), err
}

func uniqueInOrder(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// PlanLLM decides the LLM gateways of a compose project (see package llm):
// on AWS a gateway is reached at http://<label>.<privateDomain>/api/v1/.
// privateDomain is the project's private DNS domain ("" for short names).
func PlanLLM(p *compose.Project, privateDomain string) LLMPlan {
	return llm.Plan(p, func(name string) (string, string) {
		return gatewayHost(name, privateDomain), GatewayURL(name, privateDomain)
	})
}

// The LLM plan is shared by both clouds (provider/llm).
type (
	LLMPlan     = llm.PlanResult
	GatewaySpec = llm.Gateway
)

// Where a gateway comes from.
const (
	GatewayFromProvider = llm.FromProvider
	GatewayFromModels   = llm.FromModels
)

package azure

import (
	"fmt"

	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// The LLM gateway on Azure: an AI Foundry resource (a Cognitive Services
// account of kind AIServices) with one Azure OpenAI model deployment per
// model the compose file names, for compose model providers and top-level
// `models:`. Where AWS runs a LiteLLM proxy in front of Bedrock, Azure
// serves the OpenAI API itself, so there is no container.
//
// # Type tokens
//
// The azure-native cognitiveservices Go module cannot be had here: the
// account, its deployments and the key lookup are registered by token, in
// the module's default API of azure-native v2.92.0:
//
//	azure-native:cognitiveservices:Account            kind AIServices, sku S0
//	azure-native:cognitiveservices:Deployment         one per distinct model
//	azure-native:cognitiveservices:listAccountKeys    key1, the API key
//
// # Contract
//
//   - Base URL: https://<subdomain>.openai.azure.com/openai/v1/, Azure
//     OpenAI's v1 API, which OpenAI SDKs use as they are (base URL and API
//     key, no api-version). The endpoint output is the account's own
//     (https://<subdomain>.cognitiveservices.azure.com/).
//   - Models: a request's model is a deployment name. Each alias resolves to
//     an Azure OpenAI model with ResolveAzureModel (models.go); aliases that
//     resolve to the same model share its deployment, named after the model
//     ("gpt-4o-mini"). The deployments output maps every alias to its
//     deployment, so that the Project rewrites a service's model variable
//     to the deployment name; defaultDeployment is the first alias's.
//     Deployments are created one after another: Azure refuses concurrent
//     changes to the deployments of one account.
//   - Capacity: GlobalStandard deployments of 10, 50 and 100 thousand tokens
//     per minute in affordable, balanced and high_availability (quota
//     permitting; GlobalStandard is served from any region with capacity,
//     so high_availability needs no second account).
//   - API key: compose apps send OPENAI_API_KEY and cannot fetch Microsoft
//     Entra tokens, so local (key) authentication stays enabled
//     (disableLocalAuth false) and key1 is read with listAccountKeys and
//     handed to the Project as a secret (ApiKey, Go only) to store in Key
//     Vault and hand to dependents.
//   - Network: public network access stays Enabled, like Bedrock's public
//     AWS endpoint behind IAM: the account serves HTTPS only and every call
//     needs the key. A private endpoint (privatelink.openai.azure.com and
//     privatelink.cognitiveservices.azure.com zones) is left for later.

//
// # x-defang-llm services with an image of their own
//
// Such a service calls the model itself, with an OpenAI or Azure OpenAI
// SDK, and gets an account of its own (the same component, serving its
// MODEL or the default model) and the variables those SDKs read, so that
// it runs with no code change (see ownLLMEnvironment in project.go). The
// apps' managed identity is also granted Cognitive Services OpenAI User on
// that account only, for SDKs that authenticate with Microsoft Entra ID.

// RoleCognitiveServicesOpenAIUser is the built-in role "Cognitive Services
// OpenAI User": inference calls (completions, embeddings), no keys, no
// management. https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles/ai-machine-learning#cognitive-services-openai-user
const RoleCognitiveServicesOpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"

// Cognitive Services type tokens (see above).
const (
	cognitiveAccountType    = "azure-native:cognitiveservices:Account"
	cognitiveDeploymentType = "azure-native:cognitiveservices:Deployment"
	cognitiveListKeys       = "azure-native:cognitiveservices:listAccountKeys"
)

// maxCognitiveAccountName bounds account names, which we also use as the
// account's custom subdomain (<name>.openai.azure.com): an account name may
// have 2 to 64 letters, digits and hyphens (Microsoft resource-name-rules,
// Microsoft.CognitiveServices/accounts), but the subdomain is one DNS label
// of at most 63 (RFC 1035 section 2.3.4; cloudrules azure_names.go), so the
// shorter limit holds for both.
const maxCognitiveAccountName = 63

// llmCapacity is the deployments' capacity per mode, in thousands of
// tokens per minute.
func llmCapacity(m mode.Mode) int {
	switch m {
	case mode.HighAvailability:
		return 100
	case mode.Balanced:
		return 50
	}
	return 10
}

// LlmGatewayArgs are the inputs of defang:azure:LlmGateway.
type LlmGatewayArgs struct {
	ProjectName string `pulumi:"projectName"`
	ServiceName string `pulumi:"serviceName"`
	Mode        string `pulumi:"mode,optional"`
	// Models are the aliases served; the first is the default.
	Models []string `pulumi:"models"`

	ResourceGroupName pulumi.StringInput `pulumi:"resourceGroupName"`
	Location          string             `pulumi:"location,optional"`
}

func (a *LlmGatewayArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.ServiceName, "The compose service (or top-level model) the gateway stands for, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: the deployments' capacity follows it.")
	an.Describe(&a.Models, "Model aliases to serve (e.g. ai/smollm2, chat-default); the first is the default. Each maps to an Azure OpenAI model deployment.")
	an.Describe(&a.ResourceGroupName, "The resource group of the AI Foundry account.")
	an.Describe(&a.Location, "The Azure region; default the resource group's.")
}

// LlmGateway is defang:azure:LlmGateway.
type LlmGateway struct {
	pulumi.ResourceState

	Endpoint          pulumi.StringOutput    `pulumi:"endpoint"`
	BaseUrl           pulumi.StringOutput    `pulumi:"baseUrl"`
	AccountName       pulumi.StringOutput    `pulumi:"accountName"`
	Deployments       pulumi.StringMapOutput `pulumi:"deployments"`
	DefaultDeployment pulumi.StringOutput    `pulumi:"defaultDeployment"`

	apiKey    pulumi.StringOutput
	accountID pulumi.StringOutput
	openAIURL string
}

// ApiKey is the account's key1, secret: for the Project to store in Key
// Vault and hand to dependents as OPENAI_API_KEY. It is not an output of
// the component.
func (g *LlmGateway) ApiKey() pulumi.StringOutput { return g.apiKey }

// AccountID is the AI Foundry account's ARM id, the scope of role grants
// on it. Not an output of the component (the schema stays as it is).
func (g *LlmGateway) AccountID() pulumi.StringOutput { return g.accountID }

// OpenAIEndpoint is the account's Azure OpenAI endpoint,
// https://<subdomain>.openai.azure.com/ (AZURE_OPENAI_ENDPOINT).
func (g *LlmGateway) OpenAIEndpoint() string { return g.openAIURL }

func (g *LlmGateway) Annotate(a infer.Annotator) {
	a.SetToken("azure", "LlmGateway")
	a.Describe(&g, "An OpenAI-compatible API for compose model providers and top-level models on Azure AI Foundry: an AIServices account with one Azure OpenAI model deployment per model, at https://<subdomain>.openai.azure.com/openai/v1/.")
	a.Describe(&g.Endpoint, "The account's endpoint (https://<subdomain>.cognitiveservices.azure.com/).")
	a.Describe(&g.BaseUrl, "The base URL for OpenAI clients: https://<subdomain>.openai.azure.com/openai/v1/.")
	a.Describe(&g.AccountName, "The AI Foundry (Cognitive Services) account's name.")
	a.Describe(&g.Deployments, "The deployment name (the model name a request must send) of every alias.")
	a.Describe(&g.DefaultDeployment, "The deployment of the first alias.")
}

// cognitiveAccount is the azure-native Account resource: the outputs we read.
type cognitiveAccount struct {
	pulumi.CustomResourceState

	Name       pulumi.StringOutput `pulumi:"name"`
	Properties pulumi.MapOutput    `pulumi:"properties"`
}

// cognitiveAccountArgs are its inputs.
type cognitiveAccountArgs struct {
	AccountName         string
	ResourceGroupName   pulumi.StringInput
	Location            string
	Kind                string
	Sku                 string
	CustomSubDomainName string
	PublicNetworkAccess string
	DisableLocalAuth    bool
}

func (a cognitiveAccountArgs) inputs() pulumi.Map {
	in := pulumi.Map{
		"accountName":       pulumi.String(a.AccountName),
		"resourceGroupName": a.ResourceGroupName,
		"kind":              pulumi.String(a.Kind),
		"sku":               pulumi.Map{"name": pulumi.String(a.Sku)},
		"properties": pulumi.Map{
			"customSubDomainName": pulumi.String(a.CustomSubDomainName),
			"publicNetworkAccess": pulumi.String(a.PublicNetworkAccess),
			"disableLocalAuth":    pulumi.Bool(a.DisableLocalAuth),
		},
	}
	if a.Location != "" {
		in["location"] = pulumi.String(a.Location)
	}
	return in
}

// cognitiveDeployment is the azure-native Deployment resource.
type cognitiveDeployment struct {
	pulumi.CustomResourceState

	Name pulumi.StringOutput `pulumi:"name"`
}

// cognitiveDeploymentArgs are its inputs.
type cognitiveDeploymentArgs struct {
	AccountName       pulumi.StringInput
	ResourceGroupName pulumi.StringInput
	DeploymentName    string
	Model             AzureModel
	Sku               string
	Capacity          int
}

func (a cognitiveDeploymentArgs) inputs() pulumi.Map {
	return pulumi.Map{
		"accountName":       a.AccountName,
		"resourceGroupName": a.ResourceGroupName,
		"deploymentName":    pulumi.String(a.DeploymentName),
		"sku":               pulumi.Map{"name": pulumi.String(a.Sku), "capacity": pulumi.Int(a.Capacity)},
		"properties": pulumi.Map{
			"model": pulumi.Map{
				"format":  pulumi.String("OpenAI"),
				"name":    pulumi.String(a.Model.Name),
				"version": pulumi.String(a.Model.Version),
			},
			"versionUpgradeOption": pulumi.String("OnceCurrentVersionExpired"),
		},
	}
}

// listAccountKeysArgs are the arguments of listAccountKeys.
func listAccountKeysArgs(account, group pulumi.StringInput) pulumi.Map {
	return pulumi.Map{"accountName": account, "resourceGroupName": group}
}

// NewLlmGateway creates an AI Foundry account and its model deployments.
func NewLlmGateway(ctx *pulumi.Context, name string, args LlmGatewayArgs, opts ...pulumi.ResourceOption) (*LlmGateway, error) {
	comp := &LlmGateway{}
	if err := ctx.RegisterComponentResource("defang:azure:LlmGateway", name, comp, opts...); err != nil {
		return nil, err
	}
	if args.ProjectName == "" || args.ServiceName == "" {
		return nil, fmt.Errorf("LLM gateway %q: projectName and serviceName are required", name)
	}
	if args.ResourceGroupName == nil {
		return nil, fmt.Errorf("service %q: resourceGroupName is required", args.ServiceName)
	}
	models := uniqueAliases(args.Models)
	if len(models) == 0 {
		return nil, fmt.Errorf("LLM gateway %q: models must name at least one model (e.g. ai/smollm2)", args.ServiceName)
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, fmt.Errorf("service %q: %w", args.ServiceName, err)
	}
	parent := pulumi.Parent(comp)

	suffix, err := globalSuffix(ctx, comp, args.Location)
	if err != nil {
		return nil, err
	}
	accountName := LlmAccountName(args.ProjectName, ctx.Stack(), args.ServiceName, suffix)
	account := &cognitiveAccount{}
	if err := ctx.RegisterResource(cognitiveAccountType, name, cognitiveAccountArgs{
		AccountName:         accountName,
		ResourceGroupName:   args.ResourceGroupName,
		Location:            args.Location,
		Kind:                "AIServices",
		Sku:                 "S0",
		CustomSubDomainName: accountName,
		PublicNetworkAccess: "Enabled",
		DisableLocalAuth:    false,
	}.inputs(), account, nativeOpts(parent)...); err != nil {
		return nil, err
	}

	// One deployment per distinct model, in the order the aliases name
	// them, each after the previous one.
	deployments := pulumi.StringMap{}
	created := map[string]bool{}
	var previous pulumi.Resource
	for _, alias := range models {
		model := ResolveAzureModel(alias)
		deployments[alias] = pulumi.String(model.Name)
		if created[model.Name] {
			continue
		}
		created[model.Name] = true
		depOpts := []pulumi.ResourceOption{parent}
		if previous != nil {
			depOpts = append(depOpts, pulumi.DependsOn([]pulumi.Resource{previous}))
		}
		d := &cognitiveDeployment{}
		if err := ctx.RegisterResource(cognitiveDeploymentType, name+"-"+model.Name, cognitiveDeploymentArgs{
			AccountName:       account.Name,
			ResourceGroupName: args.ResourceGroupName,
			DeploymentName:    model.Name,
			Model:             model,
			Sku:               "GlobalStandard",
			Capacity:          llmCapacity(m),
		}.inputs(), d, nativeOpts(depOpts...)...); err != nil {
			return nil, err
		}
		previous = d
	}

	keys := nativeInvoke(ctx, cognitiveListKeys, listAccountKeysArgs(account.Name, args.ResourceGroupName), parent)

	comp.Endpoint = account.Properties.ApplyT(func(p map[string]any) string {
		if e, ok := p["endpoint"].(string); ok && e != "" {
			return e
		}
		return "https://" + accountName + ".cognitiveservices.azure.com/"
	}).(pulumi.StringOutput)
	comp.BaseUrl = pulumi.String(OpenAIBaseURL(accountName)).ToStringOutput()
	comp.AccountName = account.Name
	comp.Deployments = deployments.ToStringMapOutput()
	comp.DefaultDeployment = pulumi.String(ResolveAzureModel(models[0]).Name).ToStringOutput()
	comp.apiKey = secretField(keys, "key1")
	comp.accountID = account.ID().ToStringOutput()
	comp.openAIURL = OpenAIEndpoint(accountName)
	return comp, outputs.Register(ctx, comp)
}

// OpenAIBaseURL is the base URL of Azure OpenAI's v1 API on the account
// whose custom subdomain is subdomain.
func OpenAIBaseURL(subdomain string) string {
	return OpenAIEndpoint(subdomain) + "openai/v1/"
}

// OpenAIEndpoint is the Azure OpenAI endpoint of the account whose custom
// subdomain is subdomain, as AzureOpenAI clients take it.
func OpenAIEndpoint(subdomain string) string {
	return "https://" + subdomain + ".openai.azure.com/"
}

// uniqueAliases is the non-empty aliases of list, first occurrence first.
func uniqueAliases(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range list {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

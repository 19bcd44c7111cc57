package azure

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/autonaming"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/llm"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// Options are the Project inputs that matter on Azure.
type Options struct {
	Mode mode.Mode
	// Config holds the secret config values by name (nil: none).
	Config pulumi.StringMapInput
	// Location is the Azure region (e.g. eastus).
	Location string
	// ResourceGroupName adopts an existing resource group.
	ResourceGroupName string
	// Domain is a DNS zone for HTTPS host names (<service>--<port>.<domain>);
	// DnsZoneResourceGroupName is the resource group of its Azure DNS zone,
	// where the records are then created (else they are reported).
	Domain                   string
	DnsZoneResourceGroupName string
}

// Result holds what the Project reports on Azure.
type Result struct {
	Endpoints         pulumi.StringMapOutput
	Services          map[string]spec.ServiceInfo
	ResourceGroupName pulumi.StringOutput
	EnvironmentId     pulumi.StringOutput
	// DnsRecords are the records the user must create by hand.
	DnsRecords spec.DnsRecordArrayOutput
}

// Deploy creates the Azure resources of a compose project under parent:
// Network, then the Container Apps environment (with its Key Vault and
// identity), the managed stores and LLM gateways, the image builds, and one
// Container App per service, each after what it depends on.
func Deploy(ctx *pulumi.Context, parent pulumi.Resource, project *compose.Project, opts Options) (*Result, error) {
	if project.IsEmpty() {
		// Nothing to run, so nothing to pay for: not even a resource group
		// (and so no location is needed).
		empty := pulumi.String("").ToStringOutput()
		return &Result{Endpoints: pulumi.StringMap{}.ToStringMapOutput(), Services: map[string]spec.ServiceInfo{},
			ResourceGroupName: empty, EnvironmentId: empty, DnsRecords: concatRecords(nil)}, nil
	}
	if opts.Location == "" {
		return nil, fmt.Errorf("no Azure location: set the Project's azure.location input or the config azure-native:location")
	}
	if err := CheckLimits(project); err != nil {
		return nil, err
	}
	if _, err := autonaming.FromContext(ctx); err != nil {
		return nil, err
	}
	name := compose.DNSLabel(project.Name)
	modeName := string(opts.Mode)
	parentOpt := pulumi.Parent(parent)

	apps := map[string]*ingressPlan{}
	var publicTCP []int
	for _, s := range project.Services {
		if !runsContainer(s) {
			continue
		}
		plan, err := planIngress(containerPorts(s))
		if err != nil {
			return nil, fmt.Errorf("service %q: %w", s.Name, err)
		}
		apps[s.Name] = plan
		publicTCP = append(publicTCP, plan.publicTCPPorts()...)
	}
	sort.Ints(publicTCP)

	network, err := NewNetwork(ctx, name, NetworkArgs{
		ProjectName: project.Name, Mode: modeName, Location: opts.Location,
		ResourceGroupName: opts.ResourceGroupName, PublicTcpPorts: publicTCP,
	}, parentOpt)
	if err != nil {
		return nil, err
	}
	group := network.ResourceGroupName

	cfg := newConfigValues(project, opts.Config)
	env, err := NewAppsEnvironment(ctx, name, AppsEnvironmentArgs{
		ProjectName: project.Name, Mode: modeName, Location: opts.Location,
		ResourceGroupName: group, AppsSubnetId: network.AppsSubnetId,
		ConfigNames: project.ConfigNames, Config: cfg.checked,
	}, parentOpt)
	if err != nil {
		return nil, err
	}

	result := &Result{Services: map[string]spec.ServiceInfo{}}
	book := newAddressBook()
	refs := newRefValues()
	refs.set(environmentDomainRef, env.DefaultDomain, false)
	for svc, plan := range apps {
		addr := appAddress{appName: containerAppName(svc)}
		if plan != nil && plan.isHTTP() {
			addr.httpPort, addr.external = plan.targetPort, plan.external
		}
		book.apps[svc] = addr
	}

	storeAfter, err := deployStores(ctx, name, project, network, modeName, opts.Location, cfg, book, refs, result.Services, parentOpt)
	if err != nil {
		return nil, err
	}
	refs.set(identityClientRef, env.IdentityClientId, false)
	gateways, err := deployGateways(ctx, parent, name, project, modeName, opts.Location, group, env.IdentityPrincipalId,
		book, refs, result.Services, parentOpt)
	if err != nil {
		return nil, err
	}

	var builds []spec.Build
	for _, s := range project.Services {
		if s.Build != nil && runsContainer(s) {
			builds = append(builds, spec.Build{
				Service: s.Name, Context: s.Build.Context, Dockerfile: s.Build.Dockerfile,
				Target: s.Build.Target, Args: s.Build.Args, Platform: s.Platform,
			})
		}
	}
	var pipeline *BuildPipeline
	var pullGrant pulumi.Resource
	if len(builds) > 0 {
		pipeline, err = NewBuildPipeline(ctx, name, BuildPipelineArgs{
			ProjectName: project.Name, Mode: modeName, ResourceGroupName: group,
			Location: pulumi.String(opts.Location), Builds: builds,
		}, parentOpt)
		if err != nil {
			return nil, err
		}
		// The apps pull built images with the project's identity.
		pullGrant, err = GrantRole(ctx, name+"-acrpull", RoleGrantArgs{
			PrincipalId: env.IdentityPrincipalId, Scope: pipeline.RegistryId, Role: RoleAcrPull,
		}, parentOpt)
		if err != nil {
			return nil, err
		}
	}

	containerApps := map[string]*ContainerApp{}
	// groupID is the resource group's ARM id, the scope of x-defang-policies
	// grants, read once when a service has some.
	var groupID *pulumi.StringOutput
	endpoints := pulumi.StringMap{}
	var dnsRecords []spec.DnsRecordArrayOutput
	for _, s := range compose.OrderByDependencies(project.Services) {
		if !runsContainer(s) {
			continue
		}
		env2, err := serviceEnvironment(ctx, name, s, book, refs, cfg, gateways, env, group, parentOpt)
		if err != nil {
			return nil, err
		}
		args := ContainerAppArgs{
			ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
			Container: containerSpec(s, env2.plain), Autoscaling: s.Autoscaling,
			EnvironmentId: env.EnvironmentId, ResourceGroupName: group, Location: opts.Location,
			IdentityId: env.IdentityId, Secrets: env2.secrets.ToStringMapOutput(),
		}
		if len(env2.resolved) > 0 {
			args.ResolvedEnvironment = refs.resolvePlain(env2.resolved)
		}
		hosts := customHosts(s, apps[s.Name], opts.Domain)
		if len(hosts) > 0 {
			args.CustomDomains = hosts
			args.EnvironmentDefaultDomain, args.EnvironmentStaticIp = env.DefaultDomain, env.StaticIp
			args.CustomDomainVerificationId = env.CustomDomainVerificationId
			args.DnsZoneName = opts.Domain
			if opts.DnsZoneResourceGroupName != "" {
				args.DnsZoneResourceGroupName = pulumi.String(opts.DnsZoneResourceGroupName)
			}
		}
		var image pulumi.StringOutput
		if s.Build != nil {
			image = pipeline.ImageUris.MapIndex(pulumi.String(s.Name))
			args.RegistryServer = pipeline.RegistryLoginServer
			args.After = append(args.After, pullGrant)
		} else {
			image = pulumi.String(s.Image).ToStringOutput()
		}
		args.Image = image
		args.After = append(args.After, storeAfter[s.Name]...)
		args.After = append(args.After, gateways.after(s.Name)...)
		for _, dep := range s.DependsOn {
			if app, ok := containerApps[dep]; ok {
				args.After = append(args.After, app.App())
			}
		}
		app, err := NewContainerApp(ctx, name+"-"+compose.DNSLabel(s.Name), args, parentOpt)
		if err != nil {
			return nil, err
		}
		containerApps[s.Name] = app
		dnsRecords = append(dnsRecords, app.DnsRecords)
		if len(s.Policies) > 0 {
			if groupID == nil {
				sub, err := subscriptionID(ctx, parent)
				if err != nil {
					return nil, err
				}
				id := pulumi.Sprintf("/subscriptions/%s/resourceGroups/%s", sub, group)
				groupID = &id
			}
			if err := grantPolicies(ctx, name+"-"+compose.DNSLabel(s.Name), s, app, *groupID, parentOpt); err != nil {
				return nil, err
			}
		}

		info := spec.ServiceInfo{Kind: spec.KindWorker, Image: image, PrivateHostname: pulumi.String("").ToStringOutput(),
			Urls: pulumi.StringArray{}.ToStringArrayOutput()}
		if len(s.Ports) > 0 {
			info.Kind, info.PrivateHostname = spec.KindPrivate, app.PrivateHostname
		}
		if plan := apps[s.Name]; plan != nil && plan.external {
			info.Kind = spec.KindIngress
			urls := pulumi.StringArray{app.Url}
			endpoints[s.Name] = app.Url
			// A custom domain is the service's address (the last one: its
			// domainname before <service>--<port>.<domain>).
			for _, h := range hosts {
				urls = append(urls, pulumi.String("https://"+h))
				endpoints[s.Name] = pulumi.String("https://" + h)
			}
			info.Urls = urls.ToStringArrayOutput()
		}
		result.Services[s.Name] = info
	}

	result.Endpoints = endpoints.ToStringMapOutput()
	result.ResourceGroupName = group
	result.EnvironmentId = env.EnvironmentId
	result.DnsRecords = concatRecords(dnsRecords)
	return result, nil
}

// customHosts are the custom domains of a service's app: with the
// Project's domain, <service>--<port>.<domain> for the main HTTP ingress
// port (as on AWS), then its compose domainname. A domainname on an app
// without external HTTP ingress is passed on, for the ContainerApp to
// reject with the reason.
func customHosts(s *compose.Service, plan *ingressPlan, domain string) []string {
	var hosts []string
	if domain != "" && plan != nil && plan.external && plan.isHTTP() {
		// The same host name as on AWS (aws.IngressHostname): one DNS label.
		hosts = append(hosts, autonaming.DNSLabelWithSuffix(compose.DNSLabel(s.Name), fmt.Sprintf("--%d", plan.targetPort), s.Name)+"."+domain)
	}
	if s.DomainName != "" {
		hosts = append(hosts, s.DomainName)
	}
	return hosts
}

// concatRecords joins the apps' records to add by hand, in service order.
func concatRecords(parts []spec.DnsRecordArrayOutput) spec.DnsRecordArrayOutput {
	all := make([]any, len(parts))
	for i, p := range parts {
		all[i] = p
	}
	return pulumi.All(all...).ApplyT(func(v []any) []spec.DnsRecord {
		out := []spec.DnsRecord{}
		for _, records := range v {
			out = append(out, records.([]spec.DnsRecord)...)
		}
		return out
	}).(spec.DnsRecordArrayOutput)
}

// runsContainer reports whether a compose service becomes a Container App:
// not a managed store, not a model provider (served by an AI Foundry
// account).
func runsContainer(s *compose.Service) bool { return !s.IsManaged() && s.ProviderModel == "" }

// CheckLimits reports, all at once, what a compose file asks that this
// provider does not deploy on Azure (README "Azure limits").
func CheckLimits(project *compose.Project) error {
	var errs compose.Errors
	for _, s := range project.Services {
		if s.Mongo != nil {
			errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "x-defang-mongodb",
				Message: "managed MongoDB is not offered on Azure yet (Azure Cosmos DB for MongoDB is planned): deploy it on AWS, or run MongoDB elsewhere and pass its URL in config"})
		}
		for _, p := range s.Ports {
			// Container Apps ingress is HTTP or TCP
			// (https://learn.microsoft.com/azure/container-apps/ingress-overview).
			// Defang falls back to host mode for a UDP port; here a host port
			// is served by the app's internal ingress, which has no UDP
			// either, so the fallback cannot serve it: an error.
			switch {
			case p.Protocol != compose.ProtocolUDP:
			case p.Mode == compose.PortModeIngress:
				errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "ports",
					Message: fmt.Sprintf("UDP port %d: Azure Container Apps carry TCP only: their ingress has no UDP, and falling back to host mode cannot serve it either (a host port goes through the same ingress); deploy it on AWS (a network load balancer UDP listener)", p.Target)})
			default:
				errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "ports",
					Message: fmt.Sprintf("UDP port %d (host mode): Azure Container Apps carry TCP only, between apps too; deploy it on AWS", p.Target)})
			}
		}
		if runsContainer(s) {
			errs = append(errs, policyErrors(s)...)
		}
		if s.GPUs > 0 && runsContainer(s) {
			errs = append(errs, compose.Diagnostic{Service: s.Name, Field: "deploy.resources.reservations.devices",
				Message: "GPUs: the Container Apps consumption profile has none; deploy GPU services on AWS"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// containerPorts are a service's compose ports as container ports.
func containerPorts(s *compose.Service) []spec.Port {
	var out []spec.Port
	for _, port := range s.Ports {
		out = append(out, spec.Port{Port: int(port.Target), Protocol: port.Protocol, Mode: port.Mode, AppProtocol: port.AppProtocol})
	}
	return out
}

// containerSpec is what a compose service asks of its Container App.
func containerSpec(s *compose.Service, env map[string]string) spec.Container {
	c := spec.Container{
		Command: s.Command, Entrypoint: s.Entrypoint, WorkingDir: s.WorkingDir, User: s.User,
		Environment: env, Cpus: s.CPUs, MemoryMiB: int(s.MemoryMiB), Gpus: s.GPUs,
		StopGracePeriodSeconds: s.StopGracePeriodSeconds, Platform: s.Platform,
		Ports: containerPorts(s),
	}
	replicas := max(s.Replicas, 1)
	c.Replicas = &replicas
	if hc := s.Healthcheck; hc != nil {
		c.Healthcheck = &spec.Healthcheck{
			Test: hc.Test, IntervalSeconds: hc.IntervalSeconds, TimeoutSeconds: hc.TimeoutSeconds,
			Retries: hc.Retries, StartPeriodSeconds: hc.StartPeriodSeconds,
			HttpPath: hc.HTTPPath, HttpPort: int(hc.HTTPPort),
		}
	}
	return c
}

// gatewayDeployment is the AI Foundry accounts of a project's LLM gateways,
// and those of its x-defang-llm services with an image of their own.
type gatewayDeployment struct {
	plan     llm.PlanResult
	gateways map[string]*LlmGateway
	// own are the accounts of x-defang-llm services, by service.
	own map[string]*ownLLM
}

// ownLLM is the AI Foundry account of an x-defang-llm service that calls
// the model itself, and what may start the service: the account and its
// deployment, and the role grant of the apps' identity on it.
type ownLLM struct {
	gateway    *LlmGateway
	deployment string
	grant      pulumi.Resource
}

// after lists the gateways a service uses, to start after.
func (d *gatewayDeployment) after(service string) []pulumi.Resource {
	var out []pulumi.Resource
	for _, gw := range d.usedBy(service) {
		out = append(out, gw)
	}
	if own := d.own[service]; own != nil {
		out = append(out, own.gateway, own.grant)
	}
	return out
}

// usedBy returns the gateways a service uses.
func (d *gatewayDeployment) usedBy(service string) []*LlmGateway {
	var out []*LlmGateway
	for _, g := range d.plan.Gateways {
		for _, dep := range g.Dependents {
			if dep == service {
				out = append(out, d.gateways[g.ServiceName])
			}
		}
	}
	return out
}

// deployGateways creates an AI Foundry account per model provider service
// and top-level model (see llm.Plan): dependents get its OpenAI base URL
// and the model's deployment name.
func deployGateways(ctx *pulumi.Context, parentResource pulumi.Resource, name string, project *compose.Project, modeName, location string,
	group, identityPrincipal pulumi.StringOutput, book *addressBook, refs *refValues, infos map[string]spec.ServiceInfo,
	parent pulumi.ResourceOption) (*gatewayDeployment, error) {
	stack := ctx.Stack()
	suffix := ""
	if len(project.Models) > 0 || hasModelProvider(project) || hasLLMService(project) {
		var err error
		if suffix, err = globalSuffix(ctx, parentResource, location); err != nil {
			return nil, err
		}
	}
	plan := llm.Plan(project, func(service string) (string, string) {
		base := OpenAIBaseURL(LlmAccountName(project.Name, stack, service, suffix))
		return base, base
	})
	if len(plan.Errors) > 0 {
		return nil, plan.Errors
	}
	// Dependents name the Azure deployment, not the compose alias.
	for _, g := range plan.Gateways {
		for _, dep := range g.Dependents {
			for k, v := range plan.ServiceEnv[dep] {
				if v == g.Models[0] {
					plan.ServiceEnv[dep][k] = ResolveAzureModel(v).Name
				}
			}
		}
	}
	d := &gatewayDeployment{plan: plan, gateways: map[string]*LlmGateway{}, own: map[string]*ownLLM{}}
	for _, g := range plan.Gateways {
		gw, err := NewLlmGateway(ctx, name+"-"+compose.DNSLabel(g.ServiceName), LlmGatewayArgs{
			ProjectName: project.Name, ServiceName: g.ServiceName, Mode: modeName, Models: g.Models,
			ResourceGroupName: group, Location: location,
		}, parent)
		if err != nil {
			return nil, err
		}
		d.gateways[g.ServiceName] = gw
		book.gateways[g.ServiceName] = g.Url
		infos[g.ServiceName] = spec.ServiceInfo{Kind: spec.KindManaged, Image: pulumi.String("").ToStringOutput(),
			PrivateHostname: gw.BaseUrl, Urls: pulumi.StringArray{}.ToStringArrayOutput()}
	}
	if err := d.deployOwnLLMs(ctx, name, project, modeName, location, group, identityPrincipal, parent); err != nil {
		return nil, err
	}
	return d, nil
}

// deployOwnLLMs gives every x-defang-llm service with an image or build of
// its own (llm.Plan's BedrockServices, named for AWS) what Defang documents
// for it: an AI Foundry account with a deployment of its model (the
// service's literal MODEL, else the default chat model), and the apps'
// identity granted Cognitive Services OpenAI User on that account only. A
// service that also uses a model provider or a top-level model keeps that
// gateway's values and gets no account of its own: its OPENAI_API_KEY is
// the gateway's, and one key cannot serve two accounts.
func (d *gatewayDeployment) deployOwnLLMs(ctx *pulumi.Context, name string, project *compose.Project, modeName, location string,
	group, identityPrincipal pulumi.StringOutput, parent pulumi.ResourceOption) error {
	for _, svc := range d.plan.BedrockServices {
		s := project.Service(svc)
		if s == nil || !runsContainer(s) || len(d.usedBy(svc)) > 0 {
			continue
		}
		alias := literalEnv(s, modelVar)
		if alias == "" {
			alias = "default"
		}
		logical := name + "-" + compose.DNSLabel(svc)
		gw, err := NewLlmGateway(ctx, logical, LlmGatewayArgs{
			ProjectName: project.Name, ServiceName: svc, Mode: modeName, Models: []string{alias},
			ResourceGroupName: group, Location: location,
		}, parent)
		if err != nil {
			return err
		}
		grant, err := GrantRole(ctx, logical+"-openai-user", RoleGrantArgs{
			PrincipalId: identityPrincipal, Scope: gw.AccountID(), Role: RoleCognitiveServicesOpenAIUser,
		}, parent)
		if err != nil {
			return err
		}
		d.own[svc] = &ownLLM{gateway: gw, deployment: ResolveAzureModel(alias).Name, grant: grant}
	}
	return nil
}

// The variables an x-defang-llm service's account gives it (Deliver 6 of
// issue 13). OpenAI SDKs take a base URL and a key (OPENAI_BASE_URL,
// OPENAI_API_KEY: the account's OpenAI v1 API, which needs no api-version);
// Azure OpenAI clients (AzureOpenAI in openai-python and openai-node,
// Azure.AI.OpenAI) take AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and
// OPENAI_API_VERSION, or a Microsoft Entra credential, which
// DefaultAzureCredential finds for the apps' user-assigned identity through
// AZURE_CLIENT_ID. MODEL is the deployment a request names.
const (
	modelVar            = "MODEL"
	openAIBaseURLVar    = "OPENAI_BASE_URL"
	azureEndpointVar    = "AZURE_OPENAI_ENDPOINT"
	azureKeyVar         = "AZURE_OPENAI_API_KEY"
	openAIAPIVersionVar = "OPENAI_API_VERSION"
	azureClientIDVar    = "AZURE_CLIENT_ID"
	// openAIAPIVersion is the latest generally available Azure OpenAI data
	// plane API version (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle).
	openAIAPIVersion = "2024-10-21"
	// identityClientRef resolves to the apps' identity's client id.
	identityClientRef = "identity.clientId"
)

// environment rewrites the service's OpenAI variables in env to its own
// account: the base URL, endpoint and model replace what the service sets
// (they named another OpenAI, or a compose alias); the API version and
// client id are added where the service sets none. It returns the key
// variables, to be read from Key Vault.
func (o *ownLLM) environment(env *appEnvironment) []string {
	set := func(k, v string) {
		delete(env.resolved, k)
		delete(env.secrets, k)
		env.plain[k] = v
	}
	set(openAIBaseURLVar, o.gateway.OpenAIEndpoint()+"openai/v1/")
	set(azureEndpointVar, o.gateway.OpenAIEndpoint())
	set(modelVar, o.deployment)
	if !env.has(openAIAPIVersionVar) {
		env.plain[openAIAPIVersionVar] = openAIAPIVersion
	}
	if !env.has(azureClientIDVar) {
		env.resolved[azureClientIDVar] = ref(identityClientRef)
	}
	keys := []string{openAIKeyVar, azureKeyVar}
	for _, k := range keys {
		delete(env.plain, k)
		delete(env.resolved, k)
	}
	return keys
}

// has reports whether env sets the variable k, in any of its forms.
func (e *appEnvironment) has(k string) bool {
	_, plain := e.plain[k]
	_, resolved := e.resolved[k]
	_, secret := e.secrets[k]
	return plain || resolved || secret
}

// hasLLMService reports whether a service that runs a container has
// x-defang-llm (it may get an AI Foundry account of its own).
func hasLLMService(project *compose.Project) bool {
	for _, s := range project.Services {
		if s.LLM && runsContainer(s) {
			return true
		}
	}
	return false
}

// hasModelProvider reports whether a service is a model provider.
func hasModelProvider(project *compose.Project) bool {
	for _, s := range project.Services {
		if s.ProviderModel != "" {
			return true
		}
	}
	return false
}

// deployStores creates the managed store of every x-defang-postgres and
// x-defang-redis service, records its address for the values that name it,
// and returns, per dependent service, the stores to start after.
func deployStores(ctx *pulumi.Context, name string, project *compose.Project, network *Network, modeName, location string,
	cfg *configValues, book *addressBook, refs *refValues, infos map[string]spec.ServiceInfo,
	parent pulumi.ResourceOption) (map[string][]pulumi.Resource, error) {
	stores := map[string]pulumi.Resource{}
	for _, s := range project.Services {
		logical := name + "-" + compose.DNSLabel(s.Name)
		var host pulumi.StringOutput
		var image string
		switch {
		case s.Postgres != nil:
			db, err := NewManagedPostgres(ctx, logical, ManagedPostgresArgs{
				ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
				Version:  s.Postgres.Version,
				Username: literalEnv(s, "POSTGRES_USER"), Database: literalEnv(s, "POSTGRES_DB"),
				Password:          cfg.secretOf(s, "POSTGRES_PASSWORD"),
				ResourceGroupName: network.ResourceGroupName, Location: location,
				DelegatedSubnetId: network.DatabaseSubnetId, PrivateDnsZoneId: network.PostgresDnsZoneId,
			}, parent)
			if err != nil {
				return nil, err
			}
			host, image, stores[s.Name] = db.Fqdn, s.Postgres.Image, db
			book.postgres[s.Name] = true
			refs.set(storeHostRef(s.Name), host, false)
		case s.Redis != nil:
			cache, err := NewManagedRedis(ctx, logical, ManagedRedisArgs{
				ProjectName: project.Name, ServiceName: s.Name, Mode: modeName,
				ResourceGroupName: network.ResourceGroupName, Location: location,
				EndpointSubnetId: network.EndpointsSubnetId, PrivateDnsZoneId: network.RedisDnsZoneId,
			}, parent)
			if err != nil {
				return nil, err
			}
			host, image, stores[s.Name] = cache.Host, s.Redis.Image, cache
			book.redis[s.Name] = true
			refs.set(storeHostRef(s.Name), host, false)
			refs.set(redisAuthRef(s.Name), pulumi.Sprintf(":%s", cache.AccessKey()), true)
		default:
			continue
		}
		if image == "" {
			image = s.Image
		}
		infos[s.Name] = spec.ServiceInfo{Kind: spec.KindManaged, Image: pulumi.String(image).ToStringOutput(),
			PrivateHostname: host, Urls: pulumi.StringArray{}.ToStringArrayOutput()}
	}
	after := map[string][]pulumi.Resource{}
	for _, s := range project.Services {
		for _, dep := range s.DependsOn {
			if store, ok := stores[dep]; ok {
				after[s.Name] = append(after[s.Name], store)
			}
		}
	}
	return after, nil
}

// literalEnv is a service's literal (not config) environment value, or "".
func literalEnv(s *compose.Service, name string) string {
	for _, e := range s.Environment {
		if e.Name == name && !e.IsSecret() {
			return e.Value
		}
	}
	return ""
}

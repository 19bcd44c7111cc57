package aws

import (
	awssdk "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
)

// llmDeployment is what the LLM gateways of a project give the rest of
// Deploy: the gateways to start after, the hostnames dependents' values
// name, and the Bedrock policy of services that call Bedrock themselves.
type llmDeployment struct {
	plan     LLMPlan
	gateways map[string]*LlmGateway
}

// deployLLM creates one LlmGateway per provider service and top-level model
// (see PlanLLM), before the services that use them.
func deployLLM(ctx *pulumi.Context, name string, project *compose.Project, domain, modeName string,
	network *Network, cluster pulumi.StringInput, clusterCapacity pulumi.Resource, region pulumi.StringOutput, cfg *configValues,
	securityGroups pulumi.StringMap, services map[string]ServiceInfo, parent pulumi.ResourceOption) (*llmDeployment, error) {
	plan := PlanLLM(project, domain)
	if len(plan.Errors) > 0 {
		return nil, plan.Errors
	}
	d := &llmDeployment{plan: plan, gateways: map[string]*LlmGateway{}}
	for _, g := range plan.Gateways {
		nets := pulumi.StringArray{}
		for _, n := range g.Networks {
			nets = append(nets, network.NetworkSecurityGroup.MapIndex(pulumi.String(n)))
		}
		var apiKey pulumi.StringInput
		if g.ApiKey != nil {
			if g.ApiKey.IsSecret() {
				apiKey = cfg.render(*g.ApiKey, nil)
			} else {
				apiKey = pulumi.ToSecret(pulumi.String(g.ApiKey.Value)).(pulumi.StringOutput)
			}
		}
		gw, err := NewLlmGateway(ctx, name+"-"+compose.DNSLabel(g.ServiceName), LlmGatewayArgs{
			ProjectName: project.Name, ServiceName: g.ServiceName, Mode: modeName, Models: g.Models,
			ApiKey: apiKey, PrivateDomain: domain,
			ClusterArn: cluster, VpcId: network.VpcId, SubnetIds: network.TaskSubnetIds,
			AssignPublicIp: network.AssignPublicIp, PrivateNamespaceId: network.PrivateNamespaceId,
			NetworkSecurityGroupIds: nets, Region: region, Cpus: g.Cpus, MemoryMiB: g.MemoryMiB,
			After: []pulumi.Resource{clusterCapacity},
		}, parent)
		if err != nil {
			return nil, err
		}
		d.gateways[g.ServiceName] = gw
		securityGroups[g.ServiceName] = gw.SecurityGroupId
		services[g.ServiceName] = ServiceInfo{Kind: KindPrivate, Image: pulumi.String(LlmGatewayImage).ToStringOutput(),
			PrivateHostname: pulumi.String(g.Hostname).ToStringOutput(), Urls: pulumi.StringArray{}.ToStringArrayOutput()}
	}
	return d, nil
}

// addHosts makes values that name a gateway (`http://llm/api/v1/`) reach it.
func (d *llmDeployment) addHosts(hosts map[string]string) {
	for _, g := range d.plan.Gateways {
		hosts[g.ServiceName] = g.Hostname
	}
}

// isGateway reports whether a compose service is served by a gateway (a
// provider service): it runs no container of its own.
func (d *llmDeployment) isGateway(service string) bool { return d.gateways[service] != nil }

// environment adds the gateway URLs and models a service uses to env,
// without overriding what the service sets itself.
func (d *llmDeployment) environment(service string, env map[string]string) {
	for k, v := range d.plan.ServiceEnv[service] {
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
}

// after lists the gateways a service uses, to start after.
func (d *llmDeployment) after(service string) []pulumi.Resource {
	var out []pulumi.Resource
	for _, g := range d.plan.Gateways {
		for _, dep := range g.Dependents {
			if dep == service {
				out = append(out, d.gateways[g.ServiceName].ECSService())
			}
		}
	}
	return out
}

// taskPolicy is the Bedrock policy of an x-defang-llm service that calls
// Bedrock itself, or nil.
func (d *llmDeployment) taskPolicy(ctx *pulumi.Context, service string, region pulumi.StringOutput, parent pulumi.Resource) pulumi.StringInput {
	for _, s := range d.plan.BedrockServices {
		if s == service {
			account := awssdk.GetCallerIdentityOutput(ctx, awssdk.GetCallerIdentityOutputArgs{}, pulumi.Parent(parent)).AccountId()
			return BedrockAppTaskPolicy(region, account, BedrockModelIds())
		}
	}
	return nil
}

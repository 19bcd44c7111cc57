package azure

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// The address plan of a VNet we create. The apps subnet is a /23: a Container
// Apps environment with workload profiles needs at least a /27 and takes an
// address per replica and per internal load balancer, so a /23 leaves room to
// scale out. Databases (PostgreSQL Flexible Server, delegated) and private
// endpoints (Azure Managed Redis) get a /24 each.
const (
	vnetCIDR          = "10.0.0.0/16"
	appsSubnetCIDR    = "10.0.0.0/23"
	databasesCIDR     = "10.0.2.0/24"
	endpointsCIDR     = "10.0.3.0/24"
	maxVnetName       = 64
	maxNsgName        = 80
	maxPrivateDNSZone = 63 // one DNS label of the zone name we derive
)

// Subnet delegations: Container Apps environments with workload profiles and
// PostgreSQL Flexible Server with private access each need a subnet of their
// own, delegated to them.
const (
	appsDelegation     = "Microsoft.App/environments"
	postgresDelegation = "Microsoft.DBforPostgreSQL/flexibleServers"
)

// Private DNS zones. Azure Managed Redis behind a private endpoint resolves
// through privatelink.redis.azure.net. PostgreSQL Flexible Server with private
// access (VNet integration) needs a zone whose name ends in
// postgres.database.azure.com; the privatelink.postgres.database.azure.com
// zone belongs to servers reached through private endpoints instead, so we
// name ours <project>-<stack>.private.postgres.database.azure.com, as the
// portal does (<name>.private.postgres.database.azure.com).
const (
	redisDNSZone          = "privatelink.redis.azure.net"
	postgresDNSZoneSuffix = ".private.postgres.database.azure.com"
)

// NetworkArgs are the inputs of defang:azure:Network.
type NetworkArgs struct {
	ProjectName string `pulumi:"projectName"`
	Mode        string `pulumi:"mode,optional"`
	Location    string `pulumi:"location"`
	// ResourceGroupName adopts an existing resource group: none is created.
	ResourceGroupName string `pulumi:"resourceGroupName,optional"`
	// PublicTcpPorts are the ports that external TCP ingress publishes
	// (besides 80 and 443, which every external environment serves).
	PublicTcpPorts []int `pulumi:"publicTcpPorts,optional"`
}

func (a *NetworkArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: affordable, balanced or high_availability. The network is the same in every mode; the mode is checked so that a typo fails here.")
	an.Describe(&a.Location, "The Azure location (e.g. eastus) of the resource group and the VNet.")
	an.Describe(&a.ResourceGroupName, "An existing resource group to deploy into. When set, no resource group is created; otherwise one named defang-{project}-{stack}-{location} is.")
	an.Describe(&a.PublicTcpPorts, "Ports published by external TCP ingress (compose ingress ports with app_protocol tcp). The apps subnet's security group admits the internet on 80, 443 and these ports only.")
}

// Network is defang:azure:Network: the resource group and VNet a project
// runs in.
type Network struct {
	pulumi.ResourceState

	ResourceGroupName   pulumi.StringOutput `pulumi:"resourceGroupName"`
	Location            pulumi.StringOutput `pulumi:"location"`
	VnetId              pulumi.StringOutput `pulumi:"vnetId"`
	VnetName            pulumi.StringOutput `pulumi:"vnetName"`
	AppsSubnetId        pulumi.StringOutput `pulumi:"appsSubnetId"`
	DatabaseSubnetId    pulumi.StringOutput `pulumi:"databaseSubnetId"`
	EndpointsSubnetId   pulumi.StringOutput `pulumi:"endpointsSubnetId"`
	PostgresDnsZoneId   pulumi.StringOutput `pulumi:"postgresDnsZoneId"`
	PostgresDnsZoneName pulumi.StringOutput `pulumi:"postgresDnsZoneName"`
	RedisDnsZoneId      pulumi.StringOutput `pulumi:"redisDnsZoneId"`
	RedisDnsZoneName    pulumi.StringOutput `pulumi:"redisDnsZoneName"`
}

func (n *Network) Annotate(a infer.Annotator) {
	a.SetToken("azure", "Network")
	a.Describe(&n, "The network of a Defang project on Azure: a resource group (or an adopted one), a VNet with a subnet delegated to the Container Apps environment, one delegated to PostgreSQL Flexible Server and one for private endpoints, a network security group per role, and the private DNS zones of the managed stores, linked to the VNet.")
	a.Describe(&n.ResourceGroupName, "The resource group (created or adopted).")
	a.Describe(&n.Location, "The Azure location.")
	a.Describe(&n.VnetId, "The VNet id.")
	a.Describe(&n.VnetName, "The VNet name.")
	a.Describe(&n.AppsSubnetId, "The subnet of the Container Apps environment (delegated to Microsoft.App/environments).")
	a.Describe(&n.DatabaseSubnetId, "The subnet of PostgreSQL Flexible Servers (delegated to Microsoft.DBforPostgreSQL/flexibleServers).")
	a.Describe(&n.EndpointsSubnetId, "The subnet of private endpoints (network policies disabled).")
	a.Describe(&n.PostgresDnsZoneId, "The private DNS zone of PostgreSQL Flexible Servers with private access, linked to the VNet.")
	a.Describe(&n.PostgresDnsZoneName, "The name of the PostgreSQL private DNS zone.")
	a.Describe(&n.RedisDnsZoneId, "The privatelink.redis.azure.net private DNS zone of Azure Managed Redis private endpoints, linked to the VNet.")
	a.Describe(&n.RedisDnsZoneName, "The name of the Redis private DNS zone.")
}

// NewNetwork creates the resource group (unless adopted), the VNet, its
// subnets and security groups, and the stores' private DNS zones.
func NewNetwork(ctx *pulumi.Context, name string, args NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	comp := &Network{}
	if err := ctx.RegisterComponentResource("defang:azure:Network", name, comp, opts...); err != nil {
		return nil, err
	}
	if _, err := mode.Parse(args.Mode); err != nil {
		return nil, err
	}
	if args.Location == "" {
		return nil, fmt.Errorf("network %s: location is required (e.g. eastus)", name)
	}
	for _, p := range args.PublicTcpPorts {
		if p < 1 || p > 65535 {
			return nil, fmt.Errorf("network %s: publicTcpPorts: %d is not a port (1-65535)", name, p)
		}
	}
	parent := pulumi.Parent(comp)
	location := pulumi.String(args.Location)

	var group pulumi.StringOutput
	if args.ResourceGroupName != "" {
		group = pulumi.String(args.ResourceGroupName).ToStringOutput()
	} else {
		// Replacing the group deletes everything in it, data included: a
		// name that our naming (or the stack's pulumi:autonaming) now
		// derives differently keeps the group that exists.
		rg, err := resources.NewResourceGroup(ctx, name, &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String(named(ctx, tokenResourceGroup, ResourceGroupName(args.ProjectName, ctx.Stack(), args.Location), dashedRule(maxResourceGroupName))),
			Location:          location,
		}, parent, pulumi.IgnoreChanges([]string{"resourceGroupName"}))
		if err != nil {
			return nil, err
		}
		group = rg.Name
	}

	vnet, err := network.NewVirtualNetwork(ctx, name, &network.VirtualNetworkArgs{
		ResourceGroupName:  group,
		Location:           location,
		VirtualNetworkName: pulumi.String(named(ctx, tokenVirtualNetwork, dashedName(maxVnetName, args.ProjectName, ctx.Stack(), "vnet"), withMin(dashedRule(maxVnetName), 2))),
		AddressSpace:       &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String(vnetCIDR)}},
		// Subnets are separate resources below; leaving them out here keeps
		// an update of the VNet from removing them.
	}, parent)
	if err != nil {
		return nil, err
	}

	appsNsg, err := network.NewNetworkSecurityGroup(ctx, name+"-apps", &network.NetworkSecurityGroupArgs{
		ResourceGroupName:        group,
		Location:                 location,
		NetworkSecurityGroupName: pulumi.String(named(ctx, tokenSecurityGroup, dashedName(maxNsgName, args.ProjectName, ctx.Stack(), "apps"), dashedRule(maxNsgName))),
		SecurityRules:            appsSecurityRules(args.PublicTcpPorts),
	}, parent)
	if err != nil {
		return nil, err
	}
	// Databases and private endpoints keep Azure's default rules only: the
	// VNet may reach them, the internet may not.
	privateNsg, err := network.NewNetworkSecurityGroup(ctx, name+"-private", &network.NetworkSecurityGroupArgs{
		ResourceGroupName:        group,
		Location:                 location,
		NetworkSecurityGroupName: pulumi.String(named(ctx, tokenSecurityGroup, dashedName(maxNsgName, args.ProjectName, ctx.Stack(), "private"), dashedRule(maxNsgName))),
	}, parent)
	if err != nil {
		return nil, err
	}

	// Azure refuses concurrent changes to the subnets of one VNet
	// (AnotherOperationInProgress), so each subnet waits for the previous.
	var previous []pulumi.Resource
	subnet := func(suffix, cidr string, nsg *network.NetworkSecurityGroup, extra func(*network.SubnetArgs)) (*network.Subnet, error) {
		sargs := &network.SubnetArgs{
			ResourceGroupName:    group,
			VirtualNetworkName:   vnet.Name,
			SubnetName:           pulumi.String(suffix),
			AddressPrefix:        pulumi.String(cidr),
			NetworkSecurityGroup: &network.NetworkSecurityGroupTypeArgs{Id: nsg.ID()},
		}
		if extra != nil {
			extra(sargs)
		}
		s, err := network.NewSubnet(ctx, name+"-"+suffix, sargs, parent, pulumi.DependsOn(previous))
		if err != nil {
			return nil, err
		}
		previous = []pulumi.Resource{s}
		return s, nil
	}
	apps, err := subnet("apps", appsSubnetCIDR, appsNsg, func(s *network.SubnetArgs) {
		s.Delegations = delegation("apps", appsDelegation)
	})
	if err != nil {
		return nil, err
	}
	databases, err := subnet("databases", databasesCIDR, privateNsg, func(s *network.SubnetArgs) {
		s.Delegations = delegation("postgres", postgresDelegation)
	})
	if err != nil {
		return nil, err
	}
	endpoints, err := subnet("endpoints", endpointsCIDR, privateNsg, func(s *network.SubnetArgs) {
		s.PrivateEndpointNetworkPolicies = pulumi.String("Disabled")
	})
	if err != nil {
		return nil, err
	}

	vnetID := vnet.ID().ToStringOutput()
	postgresZoneName := dashedName(maxPrivateDNSZone, args.ProjectName, ctx.Stack()) + postgresDNSZoneSuffix
	postgresZone, err := NewPrivateDnsZone(ctx, name+"-postgres", postgresZoneName, vnetID, group, parent)
	if err != nil {
		return nil, err
	}
	redisZone, err := NewPrivateDnsZone(ctx, name+"-redis", redisDNSZone, vnetID, group, parent)
	if err != nil {
		return nil, err
	}

	comp.ResourceGroupName = group
	comp.Location = pulumi.String(args.Location).ToStringOutput()
	comp.VnetId = vnetID
	comp.VnetName = vnet.Name
	comp.AppsSubnetId = apps.ID().ToStringOutput()
	comp.DatabaseSubnetId = databases.ID().ToStringOutput()
	comp.EndpointsSubnetId = endpoints.ID().ToStringOutput()
	comp.PostgresDnsZoneId = postgresZone.ID
	comp.PostgresDnsZoneName = pulumi.String(postgresZoneName).ToStringOutput()
	comp.RedisDnsZoneId = redisZone.ID
	comp.RedisDnsZoneName = pulumi.String(redisDNSZone).ToStringOutput()
	return comp, outputs.Register(ctx, comp)
}

func delegation(name, service string) network.DelegationArray {
	return network.DelegationArray{&network.DelegationArgs{Name: pulumi.String(name), ServiceName: pulumi.String(service)}}
}

// appsSecurityRules admit the internet to what an external Container Apps
// environment serves: HTTP and HTTPS, and the ports of external TCP ingress.
// Azure's default rules already admit the VNet and the Azure load balancer's
// probes and deny every other inbound flow.
func appsSecurityRules(tcpPorts []int) network.SecurityRuleTypeArray {
	ports := map[int]bool{80: true, 443: true}
	for _, p := range tcpPorts {
		ports[p] = true
	}
	sorted := make([]int, 0, len(ports))
	for p := range ports {
		sorted = append(sorted, p)
	}
	sort.Ints(sorted)
	ranges := pulumi.StringArray{}
	for _, p := range sorted {
		ranges = append(ranges, pulumi.String(strconv.Itoa(p)))
	}
	return network.SecurityRuleTypeArray{&network.SecurityRuleTypeArgs{
		Name:                     pulumi.String("allow-ingress"),
		Description:              pulumi.String("Container Apps ingress: HTTP, HTTPS and external TCP ports"),
		Priority:                 pulumi.Int(100),
		Direction:                pulumi.String("Inbound"),
		Access:                   pulumi.String("Allow"),
		Protocol:                 pulumi.String("Tcp"),
		SourceAddressPrefix:      pulumi.String("Internet"),
		SourcePortRange:          pulumi.String("*"),
		DestinationAddressPrefix: pulumi.String(appsSubnetCIDR),
		DestinationPortRanges:    ranges,
	}}
}

// PrivateDnsZone is a private DNS zone linked to a VNet.
type PrivateDnsZone struct {
	Zone *network.PrivateZone
	Link *network.VirtualNetworkLink
	// ID is the zone id; it resolves once the VNet link exists, so that a
	// store using it finds the zone resolvable from the VNet.
	ID pulumi.StringOutput
}

// NewPrivateDnsZone creates the private DNS zone zoneName in group and links
// it to the VNet vnetID (without auto-registration). name is the logical name
// of both resources. The Network creates the zones of the stores; other
// components can add their own with it.
func NewPrivateDnsZone(ctx *pulumi.Context, name, zoneName string, vnetID, group pulumi.StringInput, opts ...pulumi.ResourceOption) (*PrivateDnsZone, error) {
	zone, err := network.NewPrivateZone(ctx, name, &network.PrivateZoneArgs{
		ResourceGroupName: group,
		PrivateZoneName:   pulumi.String(zoneName),
		Location:          pulumi.String("global"), // private DNS zones are global
	}, opts...)
	if err != nil {
		return nil, err
	}
	link, err := network.NewVirtualNetworkLink(ctx, name, &network.VirtualNetworkLinkArgs{
		ResourceGroupName:      group,
		PrivateZoneName:        zone.Name,
		VirtualNetworkLinkName: pulumi.String(dashedName(80, name, "link")),
		Location:               pulumi.String("global"),
		VirtualNetwork:         &network.SubResourceArgs{Id: vnetID},
		RegistrationEnabled:    pulumi.Bool(false),
	}, opts...)
	if err != nil {
		return nil, err
	}
	id := pulumi.All(zone.ID(), link.ID()).ApplyT(func(v []any) string {
		return string(v[0].(pulumi.ID))
	}).(pulumi.StringOutput)
	return &PrivateDnsZone{Zone: zone, Link: link, ID: id}, nil
}

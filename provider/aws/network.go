package aws

import (
	"fmt"

	awssdk "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicediscovery"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// vpcCIDR is the address range of a VPC we create. Subnets are /20s: public
// ones from 10.0.0.0, private ones from 10.0.128.0, one of each per zone.
const vpcCIDR = "10.0.0.0/16"

// NetworkArgs are the inputs of defang:aws:Network.
type NetworkArgs struct {
	Mode string `pulumi:"mode,optional"`
	// PrivateDomain is the private DNS namespace in which services register
	// (e.g. "myapp.dev.internal").
	PrivateDomain string `pulumi:"privateDomain"`
	// ComposeNetworks are the compose networks whose members may reach each
	// other: one security group per network marks membership.
	ComposeNetworks []string `pulumi:"composeNetworks,optional"`

	VpcId            pulumi.StringInput      `pulumi:"vpcId,optional"`
	PublicSubnetIds  pulumi.StringArrayInput `pulumi:"publicSubnetIds,optional"`
	PrivateSubnetIds pulumi.StringArrayInput `pulumi:"privateSubnetIds,optional"`
}

func (a *NetworkArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.Mode, "Deployment mode: affordable (2 zones, no NAT), balanced (2 zones, one NAT gateway) or high_availability (3 zones, a NAT gateway per zone).")
	an.Describe(&a.PrivateDomain, "Private DNS namespace (Cloud Map) in which services register, so that `<service>.<privateDomain>` resolves from every task.")
	an.Describe(&a.ComposeNetworks, "Compose networks of the project. Each gets a security group that marks its members; a service admits traffic on its ports from the networks it joins.")
	an.Describe(&a.VpcId, "An existing VPC to adopt. When set, no VPC, subnet, gateway or route is created and publicSubnetIds/privateSubnetIds are required.")
	an.Describe(&a.PublicSubnetIds, "Public subnets of the adopted VPC (load balancers, and tasks in affordable mode).")
	an.Describe(&a.PrivateSubnetIds, "Private subnets of the adopted VPC (tasks in balanced and high_availability modes).")
}

// Network is defang:aws:Network: the VPC a project runs in.
type Network struct {
	pulumi.ResourceState

	VpcId            pulumi.StringOutput      `pulumi:"vpcId"`
	PublicSubnetIds  pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIds pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	// TaskSubnetIds are where services run: public subnets (with public IPs)
	// when there is no NAT, private subnets otherwise.
	TaskSubnetIds pulumi.StringArrayOutput `pulumi:"taskSubnetIds"`
	// AssignPublicIp is true when tasks need a public IP to reach the internet.
	AssignPublicIp       pulumi.BoolOutput      `pulumi:"assignPublicIp"`
	PrivateNamespaceId   pulumi.StringOutput    `pulumi:"privateNamespaceId"`
	PrivateDomain        pulumi.StringOutput    `pulumi:"privateDomain"`
	NetworkSecurityGroup pulumi.StringMapOutput `pulumi:"networkSecurityGroupIds"`
}

func (n *Network) Annotate(a infer.Annotator) {
	a.SetToken("aws", "Network")
	a.Describe(&n, "The network of a Defang project on AWS: a VPC with public and private subnets per zone, an internet gateway, NAT gateways per mode, and a private DNS namespace in which every service registers. Adopts an existing VPC when vpcId is given.")
	a.Describe(&n.VpcId, "The VPC id (created or adopted).")
	a.Describe(&n.PublicSubnetIds, "Public subnet ids, one per zone.")
	a.Describe(&n.PrivateSubnetIds, "Private subnet ids, one per zone.")
	a.Describe(&n.TaskSubnetIds, "The subnets services run in.")
	a.Describe(&n.AssignPublicIp, "Whether tasks get a public IP (affordable mode, which has no NAT gateway).")
	a.Describe(&n.PrivateNamespaceId, "The Cloud Map private DNS namespace id.")
	a.Describe(&n.PrivateDomain, "The private DNS domain of the services.")
	a.Describe(&n.NetworkSecurityGroup, "Compose network name to the id of the security group that marks its members.")
}

// NewNetwork creates or adopts the VPC of a project.
func NewNetwork(ctx *pulumi.Context, name string, args NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	comp := &Network{}
	if err := ctx.RegisterComponentResource("defang:aws:Network", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	settings := settingsFor(m)
	parent := pulumi.Parent(comp)

	var vpcID pulumi.StringOutput
	var public, private pulumi.StringArrayOutput
	adopted := args.VpcId != nil
	if adopted {
		if args.PublicSubnetIds == nil || args.PrivateSubnetIds == nil {
			return nil, fmt.Errorf("network %s: adopting vpcId needs both publicSubnetIds and privateSubnetIds", name)
		}
		vpcID = args.VpcId.ToStringOutput()
		public = args.PublicSubnetIds.ToStringArrayOutput()
		private = args.PrivateSubnetIds.ToStringArrayOutput()
	} else {
		if args.PublicSubnetIds != nil || args.PrivateSubnetIds != nil {
			return nil, fmt.Errorf("network %s: subnet ids are only used with vpcId; give vpcId too, or none of them", name)
		}
		vpcID, public, private, err = createVPC(ctx, name, settings, parent)
		if err != nil {
			return nil, err
		}
	}

	namespace, err := servicediscovery.NewPrivateDnsNamespace(ctx, name+"-private", &servicediscovery.PrivateDnsNamespaceArgs{
		Name:        pulumi.String(args.PrivateDomain),
		Vpc:         vpcID,
		Description: pulumi.String("Private service names of the Defang project"),
	}, parent)
	if err != nil {
		return nil, err
	}

	// Bare compose service names ("db", "api") resolve when the VPC's DHCP
	// options put the private domain on every task's DNS search list. We only
	// change DHCP options of a VPC we own; in an adopted VPC the Project
	// rewrites service names in environment values to full names instead.
	if !adopted {
		dhcp, err := ec2.NewVpcDhcpOptions(ctx, name+"-dhcp", &ec2.VpcDhcpOptionsArgs{
			DomainName:        pulumi.String(args.PrivateDomain),
			DomainNameServers: pulumi.StringArray{pulumi.String("AmazonProvidedDNS")},
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewVpcDhcpOptionsAssociation(ctx, name+"-dhcp", &ec2.VpcDhcpOptionsAssociationArgs{
			VpcId: vpcID, DhcpOptionsId: dhcp.ID(),
		}, parent); err != nil {
			return nil, err
		}
	}

	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	networkSGs := pulumi.StringMap{}
	for _, net := range args.ComposeNetworks {
		sgName := name + "-net-" + sanitizeName(net)
		sg, err := ec2.NewSecurityGroup(ctx, sgName, &ec2.SecurityGroupArgs{
			Name:        names.input(specSecurityGroup, sgName, name+"-net-"+net),
			VpcId:       vpcID,
			Description: pulumi.String(fmt.Sprintf("Members of compose network %s", net)),
			// Membership only: no ingress. Services admit members of their
			// networks on their own security groups.
			Egress: allEgress(),
		}, parent)
		if err != nil {
			return nil, err
		}
		networkSGs[net] = sg.ID().ToStringOutput()
	}

	comp.VpcId = vpcID
	comp.PublicSubnetIds = public
	comp.PrivateSubnetIds = private
	comp.AssignPublicIp = pulumi.Bool(settings.NAT == natNone).ToBoolOutput()
	if settings.NAT == natNone {
		comp.TaskSubnetIds = public
	} else {
		comp.TaskSubnetIds = private
	}
	comp.PrivateNamespaceId = namespace.ID().ToStringOutput()
	comp.PrivateDomain = pulumi.String(args.PrivateDomain).ToStringOutput()
	comp.NetworkSecurityGroup = networkSGs.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

// createVPC builds the VPC, one public and one private subnet per zone, the
// internet gateway, and the NAT gateways and routes of the mode.
func createVPC(ctx *pulumi.Context, name string, s modeSettings, parent pulumi.ResourceOption,
) (pulumi.StringOutput, pulumi.StringArrayOutput, pulumi.StringArrayOutput, error) {
	var none pulumi.StringOutput
	var noneArr pulumi.StringArrayOutput
	vpc, err := ec2.NewVpc(ctx, name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(vpcCIDR),
		EnableDnsHostnames: pulumi.Bool(true), // required by private DNS namespaces
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               pulumi.StringMap{"Name": pulumi.String(name)},
	}, parent)
	if err != nil {
		return none, noneArr, noneArr, err
	}
	igw, err := ec2.NewInternetGateway(ctx, name, &ec2.InternetGatewayArgs{VpcId: vpc.ID()}, parent)
	if err != nil {
		return none, noneArr, noneArr, err
	}
	// Zones are the first N available zones of the provider's region, in the
	// order AWS lists them, so the same region always gives the same zones.
	zones := awssdk.GetAvailabilityZonesOutput(ctx, awssdk.GetAvailabilityZonesOutputArgs{
		State: pulumi.String("available"),
	}, pulumi.Parent(vpc))

	publicRT, err := ec2.NewRouteTable(ctx, name+"-public", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Routes: ec2.RouteTableRouteArray{
			&ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()},
		},
		Tags: pulumi.StringMap{"Name": pulumi.String(name + "-public")},
	}, parent)
	if err != nil {
		return none, noneArr, noneArr, err
	}

	var publicIDs, privateIDs pulumi.StringArray
	var natIDs []pulumi.IDOutput
	for i := 0; i < s.Zones; i++ {
		zone := zones.Names().Index(pulumi.Int(i))
		pub, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-public-%d", name, i), &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(fmt.Sprintf("10.0.%d.0/20", i*16)),
			AvailabilityZone: zone,
			Tags:             pulumi.StringMap{"Name": pulumi.Sprintf("%s-public-%d", name, i)},
		}, parent)
		if err != nil {
			return none, noneArr, noneArr, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-public-%d", name, i), &ec2.RouteTableAssociationArgs{
			SubnetId: pub.ID(), RouteTableId: publicRT.ID(),
		}, parent); err != nil {
			return none, noneArr, noneArr, err
		}
		priv, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(fmt.Sprintf("10.0.%d.0/20", 128+i*16)),
			AvailabilityZone: zone,
			Tags:             pulumi.StringMap{"Name": pulumi.Sprintf("%s-private-%d", name, i)},
		}, parent)
		if err != nil {
			return none, noneArr, noneArr, err
		}
		publicIDs = append(publicIDs, pub.ID())
		privateIDs = append(privateIDs, priv.ID())

		if s.NAT == natPerZone || (s.NAT == natSingle && i == 0) {
			eip, err := ec2.NewEip(ctx, fmt.Sprintf("%s-nat-%d", name, i), &ec2.EipArgs{Domain: pulumi.String("vpc")}, parent)
			if err != nil {
				return none, noneArr, noneArr, err
			}
			nat, err := ec2.NewNatGateway(ctx, fmt.Sprintf("%s-nat-%d", name, i), &ec2.NatGatewayArgs{
				AllocationId: eip.ID(), SubnetId: pub.ID(),
				Tags: pulumi.StringMap{"Name": pulumi.Sprintf("%s-nat-%d", name, i)},
			}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
			if err != nil {
				return none, noneArr, noneArr, err
			}
			natIDs = append(natIDs, nat.ID())
		}
		// Private subnets route to the zone's NAT (or the single one); with no
		// NAT they have no default route at all and stay isolated.
		var routes ec2.RouteTableRouteArray
		if len(natIDs) > 0 {
			routes = ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{
				CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: natIDs[len(natIDs)-1],
			}}
		}
		rt, err := ec2.NewRouteTable(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.RouteTableArgs{
			VpcId: vpc.ID(), Routes: routes,
			Tags: pulumi.StringMap{"Name": pulumi.Sprintf("%s-private-%d", name, i)},
		}, parent)
		if err != nil {
			return none, noneArr, noneArr, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.RouteTableAssociationArgs{
			SubnetId: priv.ID(), RouteTableId: rt.ID(),
		}, parent); err != nil {
			return none, noneArr, noneArr, err
		}
	}
	return vpc.ID().ToStringOutput(), publicIDs.ToStringArrayOutput(), privateIDs.ToStringArrayOutput(), nil
}

// allEgress lets tasks reach anything outbound (image registries, AWS APIs,
// the internet through NAT). Ingress stays closed unless a rule opens it.
func allEgress() ec2.SecurityGroupEgressArray {
	return ec2.SecurityGroupEgressArray{&ec2.SecurityGroupEgressArgs{
		Protocol: pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
		CidrBlocks:  pulumi.StringArray{pulumi.String("0.0.0.0/0")},
		Description: pulumi.String("All outbound traffic"),
	}}
}

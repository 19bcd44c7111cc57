import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as defang from "@defang-io/pulumi-defang";

const config = new pulumi.Config();
const mode = config.get("mode") ?? "affordable";

// A VPC this stack owns, as a platform team would hand it over: two zones,
// a public and a private subnet in each.
const zones = aws.getAvailabilityZonesOutput({ state: "available" }).names;
const vpc = new aws.ec2.Vpc("shop", {
    cidrBlock: "10.42.0.0/16",
    enableDnsSupport: true, // both needed by the Cloud Map private DNS names
    enableDnsHostnames: true,
    tags: { Name: "shop" },
});
const igw = new aws.ec2.InternetGateway("shop", { vpcId: vpc.id });
const publicRoutes = new aws.ec2.RouteTable("public", {
    vpcId: vpc.id,
    routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
});

const routing: pulumi.Resource[] = [];
const subnets = (kind: "public" | "private", offset: number, routeTable: aws.ec2.RouteTable) =>
    [0, 1].map(i => {
        const subnet = new aws.ec2.Subnet(`${kind}-${i}`, {
            vpcId: vpc.id,
            availabilityZone: zones.apply(z => z[i]),
            cidrBlock: `10.42.${offset + i}.0/24`,
            mapPublicIpOnLaunch: kind === "public",
            tags: { Name: `shop-${kind}-${i}` },
        });
        routing.push(new aws.ec2.RouteTableAssociation(`${kind}-${i}`, {
            subnetId: subnet.id,
            routeTableId: routeTable.id,
        }));
        return subnet;
    });
const publicSubnets = subnets("public", 0, publicRoutes);

// Tasks run in the private subnets in balanced and high_availability modes and
// need a NAT gateway to pull images; affordable mode runs them in the public
// subnets, so it gets none.
const privateRoutes = new aws.ec2.RouteTable("private", {
    vpcId: vpc.id,
    routes: mode === "affordable" ? [] : [{
        cidrBlock: "0.0.0.0/0",
        natGatewayId: new aws.ec2.NatGateway("shop", {
            subnetId: publicSubnets[0].id,
            allocationId: new aws.ec2.Eip("nat", { domain: "vpc" }).id,
        }, { dependsOn: [igw] }).id,
    }],
});
const privateSubnets = subnets("private", 10, privateRoutes);

// Deploy into that VPC: the Project creates no VPC, subnet, gateway or route.
const app = new defang.Project("shop", {
    cloud: "aws",
    mode,
    aws: {
        vpcId: vpc.id,
        publicSubnetIds: publicSubnets.map(s => s.id),
        privateSubnetIds: privateSubnets.map(s => s.id),
    },
    config: {
        SESSION_SECRET: config.requireSecret("SESSION_SECRET"),
        DB_PASSWORD: config.requireSecret("DB_PASSWORD"),
    },
}, { dependsOn: routing });

export const vpcId = vpc.id;
export const publicSubnetIds = publicSubnets.map(s => s.id);
export const privateSubnetIds = privateSubnets.map(s => s.id);
export const endpoints = app.endpoints;
export const services = app.services;

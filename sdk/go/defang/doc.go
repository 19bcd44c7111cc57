// Deploy a Docker Compose application, production-grade, into your own AWS or Azure account.
package defang

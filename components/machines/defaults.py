"""Default machine settings per substrate: the machine components and the stack config
both take them from here, so a stack that says nothing and a program that passes nothing
get the same machines. (No provider SDK is imported here.)"""

from __future__ import annotations

GCP_ZONE = "europe-west4-a"
GCP_MACHINE_TYPE = "e2-standard-4"
GCP_IMAGE = "ubuntu-os-cloud/ubuntu-2404-lts-amd64"
GCP_NETWORK = "default"

EQUINIX_METAL_METRO = "am"
EQUINIX_METAL_PLAN = "c3.small.x86"
EQUINIX_METAL_OS = "ubuntu_24_04"

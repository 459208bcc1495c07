"""AWS partitions and regions as botocore knows them, and the ones ROSA is offered in (the catalogue's).

botocore's `partitions.json` is AWS's own table of partitions, their region patterns and regions; it is what every
AWS SDK resolves endpoints from, so a region it does not list is one no API call would reach.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from foundation.catalogue import Partition, load_catalogue


@cache
def _aws_regions() -> dict[str, str]:
    """Every region id botocore knows -> its partition id (the `<partition>-global` pseudo-regions left out). Read
    from the file botocore ships: its loader's import alone costs a tenth of a small stack's render command."""
    table = json.loads(files("botocore").joinpath("data", "partitions.json").read_text())
    return {
        region: partition["id"]
        for partition in table["partitions"]
        for region in partition["regions"]
        if not region.endswith("-global")
    }


def partition_of(region: str) -> str | None:
    """The AWS partition of `region` (`aws`, `aws-us-gov`, `aws-cn`, `aws-iso`, ...), None for no region AWS has."""
    return _aws_regions().get(region)


def rosa_partitions() -> tuple[Partition, ...]:
    """The partitions ROSA is offered in."""
    return tuple(load_catalogue().partitions)


def region_problem(region: str) -> str | None:
    """None if ROSA can be set up in `region`; else what is allowed, phrased to follow "must be": an AWS region, in
    a partition ROSA is offered in, and among that partition's ROSA regions where Red Hat lists them (GovCloud)."""
    partition = partition_of(region)
    if partition is None:
        return "a region AWS has (botocore's partition data), e.g. us-east-1, eu-west-1, us-gov-west-1"
    spec = load_catalogue().partitions.get(partition)  # type: ignore[call-overload]
    if spec is None:
        return (
            f"a region of a partition ROSA is offered in ({', '.join(rosa_partitions())}); {region} is in "
            f"{partition}, where ROSA is not offered"
        )
    if spec.regions is not None and region not in spec.regions:
        return f"one of the regions ROSA is offered in within {partition}: {', '.join(spec.regions)}"
    return None

"""How a workspace ranks its influencers (`[workspaces.influence]`, docs/influence.md).

Tiers by followers follow the common industry cut (Upfluence, Brandwatch): nano under 10,000,
micro under 100,000, mid under 500,000, macro under 1,000,000, mega from there. Engagement rate
is read over a rolling window (90 days, as the vendors do), and an author with fewer than
`min_posts` posts in it gets "not enough posts" rather than a score. The weights say how much
each part counts in the influence score; a part that cannot be known for an author (growth
without two follower counts, locality when no place is asked) is left out and the others
share its weight.

In the config layer (`rumeur.settings`), so that reading a settings file loads no ranking.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Weight = Annotated[float, Field(ge=0, le=100)]
Followers = Annotated[int, Field(ge=1)]

TIERS = ("nano", "micro", "mid", "macro", "mega")


class TierLimits(BaseModel):
    """Each tier's upper limit (excluded): an author with 10,000 followers is micro."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    nano: Followers = 10_000
    micro: Followers = 100_000
    mid: Followers = 500_000
    macro: Followers = 1_000_000

    @model_validator(mode="after")
    def _rising(self) -> TierLimits:
        limits = [self.nano, self.micro, self.mid, self.macro]
        if limits != sorted(set(limits)) or len(set(limits)) != 4:
            raise ValueError("tier limits must rise: nano < micro < mid < macro")
        return self

    def tier(self, followers: int | None) -> str | None:
        """The tier of an author with `followers` (None when the count is unknown)."""
        if followers is None:
            return None
        for name, limit in zip(TIERS, (self.nano, self.micro, self.mid, self.macro), strict=False):
            if followers < limit:
                return name
        return "mega"


class ScoreWeights(BaseModel):
    """The weight of each part of the influence score; raw followers are not one of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    engagement: Weight = 0.4  # the engagement rate's percentile in its tier and platform
    relevance: Weight = 0.25  # the share of posts matching the workspace's queries
    sentiment: Weight = 0.15  # positive against negative posts about the brand
    locality: Weight = 0.1  # how close to the place asked for (only when one is)
    growth: Weight = 0.1  # follower growth over the window

    @model_validator(mode="after")
    def _some(self) -> ScoreWeights:
        if not any((self.engagement, self.relevance, self.sentiment)):
            raise ValueError("engagement, relevance and sentiment cannot all weigh 0")
        return self


class InfluenceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window_days: Annotated[int, Field(ge=7, le=365)] = 90
    min_posts: Annotated[int, Field(ge=1, le=1000)] = 3
    tiers: TierLimits = Field(default_factory=TierLimits)
    weights: ScoreWeights = Field(default_factory=ScoreWeights)
    # The relationship file lists the partners and ambassadors not contacted for this long.
    contact_again_days: Annotated[int, Field(ge=1, le=365)] = 30

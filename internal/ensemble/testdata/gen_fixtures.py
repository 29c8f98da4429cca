"""Reference numbers for internal/ensemble's PPO (ppo_fixture_test.go).

Writes ppo_fixture.json: for fixed policy weights and a fixed minibatch, the
stable-baselines3 PPO loss (ppo.py PPO.train: clipped surrogate, value MSE,
entropy of the diagonal Gaussian, advantages normalised per minibatch with
torch.std), its gradients, the parameters after one clip_grad_norm_(0.5) +
Adam(lr 3e-4, eps 1e-5) step, and GAE as SB3's
RolloutBuffer.compute_returns_and_advantage computes it for a rollout that
never ends an episode. Written from the formulas of SB3 2.x, not by running
SB3 (not installed here). Run: python3 gen_fixtures.py (torch 1.13).
"""
import json
import math

import torch

torch.manual_seed(7)
torch.set_default_dtype(torch.float64)


def case(name, obs_dim, hidden, act_dim, shared, activation, batch, ent_coef):
    g = torch.Generator().manual_seed(len(name))
    act_fn = torch.relu if activation == "relu" else torch.tanh

    def lin(i, o):
        return [torch.randn(i, o, generator=g) * 0.5, torch.randn(o, generator=g) * 0.1]

    params = []  # layout of internal/ensemble.Policy: trunk(s), pi head, vf head, log_std
    trunk_pi, trunk_vf = [], []
    d = obs_dim
    for h in hidden:
        trunk_pi.append(lin(d, h)); d = h
    hp = d
    if not shared:
        d = obs_dim
        for h in hidden:
            trunk_vf.append(lin(d, h)); d = h
    hv = d
    head_pi, head_vf = lin(hp, act_dim), lin(hv, 1)
    log_std = torch.randn(act_dim, generator=g) * 0.3
    for l in trunk_pi + trunk_vf + [head_pi, head_vf]:
        params += l
    params.append(log_std)
    for p in params:
        p.requires_grad_(True)
    before = [p.detach().clone().flatten().tolist() for p in params]

    obs = torch.randn(batch, obs_dim, generator=g)
    act = torch.randn(batch, act_dim, generator=g) * 0.7 + 0.3
    old_logp = torch.randn(batch, generator=g) * 0.5 - 2.0
    adv_raw = torch.randn(batch, generator=g)
    ret = torch.randn(batch, generator=g)
    adv = (adv_raw - adv_raw.mean()) / (adv_raw.std() + 1e-8)

    def trunk(x, layers):
        for w, b in layers:
            x = act_fn(x @ w + b)
        return x

    hpi = trunk(obs, trunk_pi)
    hvf = hpi if shared else trunk(obs, trunk_vf)
    mean = hpi @ head_pi[0] + head_pi[1]
    value = (hvf @ head_vf[0] + head_vf[1]).flatten()
    dist = torch.distributions.Normal(mean, torch.ones_like(mean) * log_std.exp())
    logp = dist.log_prob(act).sum(dim=1)
    entropy = dist.entropy().sum(dim=1)
    ratio = torch.exp(logp - old_logp)
    clip = 0.2
    pg = -torch.min(adv * ratio, adv * torch.clamp(ratio, 1 - clip, 1 + clip)).mean()
    vf = torch.nn.functional.mse_loss(ret, value)
    ent = -torch.mean(entropy)
    loss = pg + ent_coef * ent + 0.5 * vf
    loss.backward()
    grads = [p.grad.detach().clone() for p in params]
    opt = torch.optim.Adam(params, lr=3e-4, eps=1e-5)
    norm = torch.nn.utils.clip_grad_norm_(params, 0.5)
    opt.step()
    after = [p.detach().clone() for p in params]
    # the policy's forward on each observation (for Policy.Forward)
    return {
        "name": name, "obs_dim": obs_dim, "hidden": hidden, "act_dim": act_dim, "shared": shared,
        "activation": activation, "ent_coef": ent_coef,
        "params": before,
        "shapes": [list(p.shape) for p in params],
        "obs": obs.tolist(), "act": act.tolist(), "old_logp": old_logp.tolist(),
        "adv_raw": adv_raw.tolist(), "adv": adv.tolist(), "ret": ret.tolist(),
        "mean": mean.detach().tolist(), "value": value.detach().tolist(),
        "loss": loss.item(), "policy_loss": pg.item(), "value_loss": vf.item(), "entropy_loss": ent.item(),
        "grads": [x.flatten().tolist() for x in grads], "grad_norm": norm.item(),
        "params_after_step": [x.flatten().tolist() for x in after],
    }


def gae():
    g = torch.Generator().manual_seed(3)
    n = 9
    rewards = torch.rand(n, generator=g)
    values = torch.randn(n, generator=g)
    last_value = 0.37
    gamma, lam = 0.99, 0.95
    adv = [0.0] * n
    last = 0.0
    for step in reversed(range(n)):
        # SB3: next_non_terminal = 1 (no episode ever ends after the first step)
        next_v = last_value if step == n - 1 else values[step + 1].item()
        delta = rewards[step].item() + gamma * next_v - values[step].item()
        last = delta + gamma * lam * last
        adv[step] = last
    ret = [a + v for a, v in zip(adv, values.tolist())]
    return {"rewards": rewards.tolist(), "values": values.tolist(), "last_value": last_value,
            "gamma": gamma, "lambda": lam, "advantages": adv, "returns": ret}


out = {
    "source": "testdata/gen_fixtures.py, torch " + torch.__version__ + ", SB3 2.x PPO formulas",
    "cases": [
        case("shared-relu", 5, [4], 3, True, "relu", 6, 0.01),
        case("separate-tanh", 3, [4, 4], 3, False, "tanh", 5, 0.0),
        case("linear-heads", 4, [], 3, True, "relu", 7, 0.05),
    ],
    "gae": gae(),
}
with open("ppo_fixture.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote ppo_fixture.json")

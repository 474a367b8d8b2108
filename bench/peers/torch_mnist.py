"""Benchmark peer: the seed networks in PyTorch (eager, CPU), the same layers, inits and optimizers
as tf_mnist.py: mlp with GradientDescent 0.5 and the seed's clipped cross entropy (one-hot targets);
cnn with Adam 1e-4 (class targets, as F.cross_entropy takes them). The training set is held as
tensors and each step's rows are gathered by index; the loss is read (loss.item()) only when
printed. Images arrive NHWC-flat [n, 784] and are viewed as NCHW [n, 1, 28, 28] (one channel: no copy).
Run by bench/run; see common.py for the flags and the output.
"""
import torch
from torch import nn
import torch.nn.functional as F

import common


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(784, 300), nn.Linear(300, 10)
        for p in self.parameters():
            nn.init.normal_(p, 0.0, 0.03)

    def loss(self, x, y):
        y_ = torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)
        y_clipped = y_.clamp(1e-10, 0.9999999)
        return -(y * torch.log(y_clipped) + (1 - y) * torch.log(1 - y_clipped)).sum(dim=1).mean()


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 5, padding=2), nn.Conv2d(32, 64, 5, padding=2)
        self.fc1, self.fc2 = nn.Linear(7 * 7 * 64, 1024), nn.Linear(1024, 10)
        for layer in (self.conv1, self.conv2, self.fc1, self.fc2):
            nn.init.trunc_normal_(layer.weight, std=0.1, a=-0.2, b=0.2)
            nn.init.constant_(layer.bias, 0.1)

    def loss(self, x, y):
        h = F.max_pool2d(torch.relu(self.conv1(x.view(-1, 1, 28, 28))), 2)
        h = F.max_pool2d(torch.relu(self.conv2(h)), 2)
        h = F.dropout(torch.relu(self.fc1(h.flatten(1))), p=0.5, training=True)
        return F.cross_entropy(self.fc2(h), y)


def build_step(model, threads, seed, train):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    net = {"mlp": Mlp, "cnn": Cnn}[model]()
    if model == "mlp":
        opt = torch.optim.SGD(net.parameters(), lr=0.5)
        targets = torch.from_numpy(train.one_hot)
    else:
        opt = torch.optim.Adam(net.parameters(), lr=1e-4)
        targets = torch.from_numpy(train.labels)
    images, batches = torch.from_numpy(train.images), torch.from_numpy(train.batches)

    def step(i, want_loss):
        rows = batches[i]
        loss = net.loss(images[rows], targets[rows])
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item() if want_loss else None
    return step


if __name__ == "__main__":
    args = common.parse_args("Train a seed network in PyTorch and time it.")
    common.main(args, f"PyTorch {torch.__version__}", build_step)

"""Words that say what an identifier holds: a model (`net`, `self.encoder`), an optimizer, a data
loader; and the framework hooks whose modes a trainer switches itself."""

from __future__ import annotations

from evalparity.vocabulary.naming import words

MODEL_WORDS = frozenset({
    "model", "models", "net", "network", "classifier", "encoder", "backbone", "teacher", "student", "ema",
    "generator", "discriminator", "resnet", "vit", "cnn", "mlp", "detector", "segmentor", "predictor",
    "regressor", "autoencoder", "vae", "unet", "convnet", "lenet", "alexnet", "vgg", "densenet", "mobilenet",
    "efficientnet", "deit", "swin", "convnext", "moco", "simclr", "byol", "dino", "linear", "head", "clf",
})
NOT_MODEL_WORDS = frozenset({
    "build", "create", "get", "load", "make", "init", "initialize", "save", "setup", "prepare", "construct",
    "define", "export", "print", "wrap", "freeze", "unfreeze", "train", "eval", "evaluate", "test", "validate",
    "update", "copy", "convert", "compile", "summary", "loss", "criterion", "optimizer", "fn", "func", "config",
    "cfg", "args", "name", "path", "dir", "file", "type", "params", "state", "dict", "output", "outputs",
    "input", "inputs", "fit", "predict", "run", "step", "weights", "kwargs", "factory", "cls", "class", "registry",
})
OPTIMIZER_WORDS = frozenset({"optimizer", "optimizers", "optim", "opt", "optimiser"})
LOADER_WORDS = frozenset({
    "loader", "loaders", "dataloader", "dataloaders", "dl", "data", "dataset", "ds", "iterator", "iter",
    "batches", "set", "queue", "stream", "gen", "generator", "samples",
})
SUBMODULE_NAMES = frozenset({"m", "mod", "module", "layer", "bn", "norm", "dropout", "drop", "child", "submodule",
                             "block", "sub", "mm"})
NON_MODULE_RECEIVERS = frozenset({"trainer", "engine", "evaluator", "runner", "solver", "learner", "agent",
                                  "env", "args", "cfg", "config", "parser", "opt", "opts", "hparams", "flags",
                                  "tester", "validator", "callback", "task", "experiment", "exp", "pipeline"})
MEASURE_WORDS = frozenset({"criterion", "metric", "metrics", "loss", "score", "scores", "acc", "accuracy", "iou",
                           "map", "f1", "bleu", "psnr", "ssim", "meter", "logger", "log", "print", "report"})
GRADIENT_CONTEXTS = frozenset({"inference_mode", "no_grad", "enable_grad", "set_grad_enabled"})
MODE_HELPER_WORDS = frozenset({"eval", "bn", "batchnorm", "freeze", "frozen", "dropout", "mode", "inference"})
FRAMEWORK_BASES = frozenset({
    "LightningModule", "LightningDataModule", "Callback", "Trainer", "Seq2SeqTrainer", "Engine", "Evaluator",
    "Accelerator", "BaseTrainer", "DefaultTrainer", "Runner", "Hook", "EvalHook",
})
FRAMEWORK_HOOK_PREFIXES = ("validation_", "test_", "predict_", "on_validation", "on_test", "on_predict",
                           "on_eval", "eval_step", "evaluation_", "prediction_", "training_", "on_train")


def strip_wrappers(text: str) -> str:
    """`model.module` and `model.forward` call the same network as `model`."""
    parts = [p for p in text.split(".") if p not in ("module", "forward", "_orig_mod")]
    return ".".join(parts) or text


def model_like(text: str | None) -> bool:
    if not text:
        return False
    last = strip_wrappers(text).rpartition(".")[2]
    items = words(last)
    if not items or items[0] in NOT_MODEL_WORDS or items[-1] in NOT_MODEL_WORDS:
        return False
    return items[-1] in MODEL_WORDS or (len(items) > 1 and items[-2] in MODEL_WORDS and len(items[-1]) <= 2)


def optimizer_like(text: str | None) -> bool:
    return bool(text) and any(w in OPTIMIZER_WORDS for w in words(text.rpartition(".")[2]))


def loader_like(text: str | None) -> bool:
    return bool(text) and any(w in LOADER_WORDS for w in words(text.rpartition(".")[2]))


def mode_helper(text: str) -> bool:
    """`set_bn_eval`, `model.freeze_bn`, `enable_dropout`: a helper that changes modes we cannot see.
    Not `eval_criterion`, `eval_metric`: what an evaluation computes; not `torch.inference_mode`, which
    turns off autograd and leaves every module's mode alone."""
    last = text.rpartition(".")[2]
    if last in GRADIENT_CONTEXTS:
        return False
    found = words(last)
    return any(w in MODE_HELPER_WORDS for w in found) and not any(w in MEASURE_WORDS for w in found)


def non_module_receiver(text: str) -> bool:
    last = text.rpartition(".")[2]
    return any(w in NON_MODULE_RECEIVERS for w in words(last)) or last in NON_MODULE_RECEIVERS


def framework_hook(name: str) -> bool:
    return name.startswith(FRAMEWORK_HOOK_PREFIXES) or name in ("validation_step", "test_step", "predict_step")


def framework_class(bases: tuple[str, ...]) -> bool:
    return any(b.rpartition(".")[2] in FRAMEWORK_BASES for b in bases)

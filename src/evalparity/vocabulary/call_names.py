"""Names of calls and keywords that extraction looks for, shared with the screen (which must not import
libcst, so that a warm run never loads it)."""

TRANSFORM_KEYWORDS = frozenset({"transform", "transforms", "img_transform", "image_transform", "transform_fn",
                                "preprocess"})
# torch.utils.data's sampler classes, by the name a DataLoader's `sampler=` / `batch_sampler=` gives them
TORCH_SAMPLERS = frozenset({"DistributedSampler", "RandomSampler", "WeightedRandomSampler", "SubsetRandomSampler",
                            "SequentialSampler", "BatchSampler"})
SPECIAL_CALLS = frozenset({"random_split", "Subset", "DataLoader", "ImageFolder", "DatasetFolder"})
# gathers that keep exactly one result per sample (by id, or cut to the dataset size)
DEDUPLICATING = frozenset({"gather_for_metrics", "gather_for_eval", "CocoEvaluator", "COCOeval", "LVISEval",
                           "LVISEvaluator"})

#!/usr/bin/python3
"""Trains the same models with Sluice (CREATE MODEL / ML.EVALUATE) and with scikit-learn and
XGBoost's Python package on the same seeded train/test CSV files, in one run, and prints a
markdown table of the test metrics and training times of both.

Each case's files are made here: a seeded 80/20 split of three vega-datasets tables and a larger
synthetic table generated with numpy. The peers see the features Sluice's preprocessing makes
(src/ml/features.h), rebuilt in pandas: numeric columns (and the year, month, day, dayofweek,
dayofyear parts of a date) standardized with the training mean and population standard
deviation, NULL replaced by the mean, for linear and logistic regression; raw values with NULL
as missing for trees; strings one-hot over the 100 most frequent training values (ties by value)
plus an `other` feature when there are more, a NULL setting no feature.

Run by bench/ml/run.sh; see bench/ml/README.md.
"""

import argparse
import io
import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sklearn
import threadpoolctl
import xgboost
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn import metrics as skm

SEED = 20261124
TEST_FRACTION = 0.2
MAX_CATEGORIES = 100
LOGISTIC_L2 = 0.001
RIDGE_L2 = 0.01
# Boosted trees, on both sides: BigQuery ML's defaults, written out; early stopping off so that
# both sides run every round.
ROUNDS, LEARN_RATE, DEPTH, TREE_L2 = 20, 0.3, 6, 1.0
THREADS = 2
# Seconds of rest before each timed fit, Sluice's and the peer's: OpenBLAS's idle threads spin
# for up to ~0.1 s after a call, and OpenMP (XGBoost, on both sides) slows down by orders of
# magnitude on small data when another process's threads hold the two cores.
REST = 0.5
REGRESSION_METRICS = ["mean_squared_error", "mean_absolute_error", "r2_score"]
CLASSIFICATION_METRICS = ["accuracy", "log_loss", "roc_auc"]


# ---------------------------------------------------------------------------------------------
# Cases: seeded train/test files.


@dataclass
class Case:
    name: str
    task: str  # "regression" or "classification"
    label: str
    train: str
    test: str
    dates: list = field(default_factory=list)  # columns holding dates (Sluice reads DATE)
    models: list = field(default_factory=list)
    source: str = ""


def split(frame, seed):
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(frame))
    test_rows = int(round(TEST_FRACTION * len(frame)))
    return frame.iloc[np.sort(order[test_rows:])], frame.iloc[np.sort(order[:test_rows])]


def write_case(work, name, frame, label, task, models, source, dates=()):
    train, test = split(frame, SEED)
    train_path = os.path.join(work, f"{name}_train.csv")
    test_path = os.path.join(work, f"{name}_test.csv")
    train.to_csv(train_path, index=False)
    test.to_csv(test_path, index=False)
    return Case(name, task, label, train_path, test_path, list(dates), models, source)


def synthetic(rows, seed):
    """Returns `rows` rows of 18 numeric and 2 string features (2% NULL in three columns) and a
    regression label `y_reg` and a binary label `y_cls` that depend on them non-linearly."""
    rng = np.random.default_rng(seed)
    cov = 0.3 * np.ones((6, 6)) + 0.7 * np.eye(6)
    x = np.empty((rows, 18))
    x[:, :6] = rng.multivariate_normal(np.zeros(6), cov, size=rows)
    x[:, 6:12] = rng.uniform(-2, 2, size=(rows, 6))
    x[:, 12:16] = rng.exponential(1.0, size=(rows, 4))
    x[:, 16] = rng.integers(0, 10, size=rows)
    x[:, 17] = rng.standard_t(5, size=rows)
    x = np.round(x, 5)
    frame = pd.DataFrame(x, columns=[f"x{i + 1:02d}" for i in range(18)])
    frame["x17"] = frame["x17"].astype("int64")
    segments = np.array(list("ABCDEFGH"))
    segment = rng.choice(len(segments), size=rows, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03])
    weights = 1.0 / np.arange(1, 301) ** 1.1  # Zipf-like: 300 values, 100 kept + other
    item = rng.choice(300, size=rows, p=weights / weights.sum())
    frame["segment"] = segments[segment]
    frame["item"] = np.char.add("i", item.astype(str))
    segment_effect = np.linspace(-1.5, 1.5, 8)[segment]
    item_effect = np.sin(item * 0.7)
    f = (1.5 * x[:, 0] - x[:, 1] + 0.5 * x[:, 2] * x[:, 3] + np.sin(2 * x[:, 6]) + x[:, 7] ** 2 / 2
         - np.log1p(x[:, 12]) + 0.3 * x[:, 16] + segment_effect + 0.5 * item_effect
         + np.where(x[:, 8] > 0.5, 1.0, 0.0) * x[:, 9])
    frame["y_reg"] = np.round(f + rng.normal(0, 1.0, rows), 5)
    frame["y_cls"] = (rng.uniform(size=rows) < 1 / (1 + np.exp(-(f - f.mean())))).astype(int)
    for column, fraction in (("x03", 0.02), ("x08", 0.02), ("segment", 0.02)):
        frame.loc[rng.uniform(size=rows) < fraction, column] = None
    return frame


def make_cases(data, work, synthetic_rows):
    cases = []
    cars = pd.read_json(os.path.join(data, "cars.json"))
    cars = cars.drop(columns=["Name"]).dropna(subset=["Miles_per_Gallon"])
    cars["Year"] = pd.to_datetime(cars["Year"]).dt.year
    cars.columns = [c.lower() for c in cars.columns]
    cases.append(write_case(work, "cars", cars, "miles_per_gallon", "regression",
                            ["linear", "ridge", "boosted"],
                            "cars.json: miles_per_gallon from 7 columns (Name dropped, Year as "
                            "its year), 398 rows with a label"))
    penguins = pd.read_json(os.path.join(data, "penguins.json"))
    penguins.columns = ["species", "island", "beak_length_mm", "beak_depth_mm",
                        "flipper_length_mm", "body_mass_g", "sex"]
    cases.append(write_case(work, "penguins", penguins, "species", "classification",
                            ["logistic", "boosted"],
                            "penguins.json: species (3 classes) from 6 columns, 344 rows"))
    weather = pd.read_csv(os.path.join(data, "seattle-weather.csv"))
    cases.append(write_case(work, "seattle_weather", weather, "weather", "classification",
                            ["logistic", "boosted"],
                            "seattle-weather.csv: weather (5 classes) from date (5 parts) and "
                            "4 numbers, 1461 rows", dates=["date"]))
    total = int(round(synthetic_rows / (1 - TEST_FRACTION)))
    frame = synthetic(total, SEED)
    cases.append(write_case(work, "synthetic_reg", frame.drop(columns=["y_cls"]), "y_reg",
                            "regression", ["linear", "ridge", "boosted"],
                            f"numpy (seed {SEED}): y_reg from 18 numeric and 2 string columns "
                            f"(8 and 300 values), {synthetic_rows} train rows"))
    cases.append(write_case(work, "synthetic_cls", frame.drop(columns=["y_reg"]), "y_cls",
                            "classification", ["logistic", "boosted"],
                            f"the same features, binary y_cls, {synthetic_rows} train rows"))
    return cases


def read_case_csv(path, case):
    frame = pd.read_csv(path, float_precision="round_trip", keep_default_na=False,
                        na_values=[""])
    for column in case.dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


# ---------------------------------------------------------------------------------------------
# Sluice's preprocessing, in pandas.


class Features:
    """Fits Sluice's feature preprocessing on training rows and applies it."""

    def __init__(self, standardize):
        self.standardize = standardize
        self.columns = []  # (name, kind, state)

    @staticmethod
    def parts(frame, column, kind):
        if kind == "numeric":
            return [frame[column].to_numpy(dtype=float, na_value=np.nan)]
        d = frame[column].dt
        # Sluice's dayofweek counts from Sunday = 0, as PostgreSQL's dow.
        parts = [d.year, d.month, d.day, (d.dayofweek + 1) % 7, d.dayofyear]
        return [p.to_numpy(dtype=float, na_value=np.nan) for p in parts]

    def fit(self, frame, label):
        for column in frame.columns:
            if column == label:
                continue
            series = frame[column]
            if pd.api.types.is_datetime64_any_dtype(series):
                kind = "date"
            elif pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
                kind = "numeric"
            else:
                counts = series.dropna().value_counts()
                ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                kept = [value for value, _ in ordered[:MAX_CATEGORIES]]
                self.columns.append((column, "categorical", (kept, len(ordered) > MAX_CATEGORIES)))
                continue
            stats = []
            for values in self.parts(frame, column, kind):
                present = values[~np.isnan(values)]
                mean = present.mean() if len(present) else 0.0
                std = present.std() if len(present) else 0.0  # population (ddof 0)
                stats.append((mean, std if std > 0 else 1.0))
            self.columns.append((column, kind, stats))
        return self

    def transform(self, frame):
        blocks = []
        for column, kind, state in self.columns:
            if kind == "categorical":
                kept, other = state
                codes = pd.Categorical(frame[column], categories=kept).codes
                block = np.zeros((len(frame), len(kept) + (1 if other else 0)))
                present = codes >= 0
                block[np.flatnonzero(present), codes[present]] = 1.0
                if other:
                    block[(~present) & frame[column].notna().to_numpy(), len(kept)] = 1.0
                blocks.append(block)
                continue
            for values, (mean, scale) in zip(self.parts(frame, column, kind), state):
                if self.standardize:
                    values = np.where(np.isnan(values), 0.0, (values - mean) / scale)
                blocks.append(values.reshape(-1, 1))
        return np.hstack(blocks)


# ---------------------------------------------------------------------------------------------
# Models: the peer estimator and the Sluice OPTIONS of each.


def peer_estimator(model, task, num_classes, train_rows):
    if model == "linear":
        return "sklearn LinearRegression()", LinearRegression()
    if model == "ridge":
        alpha = RIDGE_L2 * train_rows
        return f"sklearn Ridge(alpha={alpha:g})", Ridge(alpha=alpha)
    if model == "logistic":
        c = 1 / (LOGISTIC_L2 * train_rows)
        kind = "multinomial" if num_classes > 2 else "binary"
        return (f"sklearn LogisticRegression(C={c:.4g}), {kind}",
                LogisticRegression(C=c, max_iter=100))
    common = dict(n_estimators=ROUNDS, learning_rate=LEARN_RATE, max_depth=DEPTH,
                  reg_lambda=TREE_L2, tree_method="hist", max_bin=256, n_jobs=THREADS,
                  random_state=0)
    if task == "regression":
        return "xgboost XGBRegressor(hist)", xgboost.XGBRegressor(**common)
    return "xgboost XGBClassifier(hist)", xgboost.XGBClassifier(**common)


def sluice_options(model, task, label):
    options = [f"input_label_cols = ['{label}']", "data_split_method = 'no_split'"]
    if model == "linear":
        options.insert(0, "model_type = 'linear_reg'")
    elif model == "ridge":
        options[:0] = ["model_type = 'linear_reg'", f"l2_reg = {RIDGE_L2}"]
    elif model == "logistic":
        options[:0] = ["model_type = 'logistic_reg'", f"l2_reg = {LOGISTIC_L2}"]
    else:
        kind = "regressor" if task == "regression" else "classifier"
        options[:0] = [f"model_type = 'boosted_tree_{kind}'", f"max_iterations = {ROUNDS}",
                       f"learn_rate = {LEARN_RATE}", f"max_tree_depth = {DEPTH}",
                       f"l2_reg = {TREE_L2:g}", "early_stop = FALSE", "seed = 0"]
    return ", ".join(options)


# ---------------------------------------------------------------------------------------------
# Metrics as scikit-learn defines them (what Sluice's ML.EVALUATE documents).


def regression_metrics(truth, predicted):
    return {"mean_squared_error": skm.mean_squared_error(truth, predicted),
            "mean_absolute_error": skm.mean_absolute_error(truth, predicted),
            "r2_score": skm.r2_score(truth, predicted)}


def classification_metrics(truth, probabilities):
    k = probabilities.shape[1]
    if k == 2:
        predicted = (probabilities[:, 1] >= 0.5).astype(int)
        auc = skm.roc_auc_score(truth, probabilities[:, 1])
    else:
        predicted = probabilities.argmax(axis=1)
        present = np.unique(truth)
        auc = np.mean([skm.roc_auc_score(truth == c, probabilities[:, c]) for c in present])
    return {"accuracy": skm.accuracy_score(truth, predicted),
            "log_loss": skm.log_loss(truth, probabilities, labels=list(range(k))),
            "roc_auc": auc}


# ---------------------------------------------------------------------------------------------
# Running Sluice.


class Sluice:
    def __init__(self, binary, workspace):
        self.binary = binary
        self.workspace = workspace
        subprocess.run([binary, "init", workspace], check=True, stdout=subprocess.DEVNULL)

    def sql(self, statement):
        """Runs one statement; returns its rows as a DataFrame and the process's wall time."""
        start = time.perf_counter()
        done = subprocess.run([self.binary, "sql", "--workspace", self.workspace, "--format",
                               "csv", "-c", statement], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"sluice failed ({done.returncode}) on:\n{statement}\n"
                               f"{done.stderr}")
        return pd.read_csv(io.StringIO(done.stdout), float_precision="round_trip",
                           keep_default_na=False, na_values=[""]), seconds


def sluice_predictions(output, case, classes):
    column = f"predicted_{case.label}"
    if case.task == "regression":
        return output[column].to_numpy(dtype=float)
    probs = output[column + "_probs"].map(json.loads)
    return np.array([[row[str(c)] for c in classes] for row in probs])


# ---------------------------------------------------------------------------------------------
# One case.


def median(values):
    return statistics.median(values) if values else math.nan


def run_case(case, sluice, runs, log):
    train = read_case_csv(case.train, case)
    test = read_case_csv(case.test, case)
    classes = None
    if case.task == "classification":
        # Sluice orders the classes by their text; so does this.
        classes = sorted(train[case.label].dropna().unique(), key=str)
        index = {c: i for i, c in enumerate(classes)}
        y_train = train[case.label].map(index).to_numpy()
        y_test = test[case.label].map(index).to_numpy()
    else:
        y_train = train[case.label].to_numpy(dtype=float)
        y_test = test[case.label].to_numpy(dtype=float)
    results = []
    for model in case.models:
        tree = model == "boosted"
        name = f"{case.name}_{model}"
        create = (f"CREATE OR REPLACE MODEL {name} OPTIONS ("
                  f"{sluice_options(model, case.task, case.label)}) "
                  f"AS SELECT * FROM '{case.train}'")
        result = {"case": case.name, "model": model, "create_sql": create,
                  "sluice_train": [], "sluice_fit": [], "sluice_wall": [], "peer_prep": [],
                  "peer_fit": []}
        fitted = {}

        def run_sluice():
            time.sleep(REST)
            row, wall = sluice.sql(create)
            info, _ = sluice.sql(f"SELECT * FROM ML.TRAINING_INFO(MODEL {name})")
            result["sluice_model_type"] = row["model_type"][0]
            result["sluice_train"].append(float(row["training_seconds"][0]))
            result["sluice_fit"].append(float(info["duration_ms"].max()) / 1000)
            result["sluice_wall"].append(wall)
            result["sluice_iterations"] = len(info)
            result["train_rows"] = int(row["train_rows"][0])

        def run_peer():
            time.sleep(REST)
            start = time.perf_counter()
            features = Features(standardize=not tree).fit(train, case.label)
            x_train = features.transform(train)
            result["peer_prep"].append(time.perf_counter() - start)
            num_classes = len(classes) if classes else 0
            label, estimator = peer_estimator(model, case.task, num_classes, len(train))
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                start = time.perf_counter()
                estimator.fit(x_train, y_train)
                result["peer_fit"].append(time.perf_counter() - start)
            result["peer"] = label
            result["peer_converged"] = not any(
                issubclass(w.category, ConvergenceWarning) for w in caught)
            if getattr(estimator, "n_iter_", None) is not None:
                result["peer_iterations"] = int(np.max(estimator.n_iter_))
            result["features"] = int(x_train.shape[1])
            fitted.update(features=features, estimator=estimator)

        for run in range(runs):
            # Both in turn, alternating which goes first, so that both see the same load.
            for step in (run_sluice, run_peer) if run % 2 == 0 else (run_peer, run_sluice):
                step()
            log(f"  {name} run {run + 1}/{runs}: sluice {result['sluice_train'][-1]:.4f} s "
                f"(fit {result['sluice_fit'][-1]:.4f} s), peer prep "
                f"{result['peer_prep'][-1]:.4f} s + fit {result['peer_fit'][-1]:.4f} s")

        features, estimator = fitted["features"], fitted["estimator"]
        x_test = features.transform(test)
        result["peer_train_rows"] = len(train)
        evaluate, _ = sluice.sql(
            f"SELECT * FROM ML.EVALUATE(MODEL {name}, (SELECT * FROM '{case.test}'))")
        predict, _ = sluice.sql(
            f"SELECT * FROM ML.PREDICT(MODEL {name}, (SELECT * FROM '{case.test}'))")
        sluice_pred = sluice_predictions(predict, case, classes)
        if case.task == "regression":
            peer_pred = estimator.predict(x_test)
            peer_metrics = regression_metrics(y_test, peer_pred)
            rescored = regression_metrics(y_test, sluice_pred)
            names = REGRESSION_METRICS
        else:
            peer_pred = estimator.predict_proba(x_test)
            peer_metrics = classification_metrics(y_test, peer_pred)
            rescored = classification_metrics(y_test, sluice_pred)
            names = CLASSIFICATION_METRICS
        result["metrics"] = [
            {"metric": m, "sluice": float(evaluate[m][0]), "peer": float(peer_metrics[m]),
             "sluice_rescored": float(rescored[m])} for m in names]
        result["prediction_mean_abs_diff"] = float(np.mean(np.abs(sluice_pred - peer_pred)))
        result["prediction_max_abs_diff"] = float(np.max(np.abs(sluice_pred - peer_pred)))
        results.append(result)
    return results


def run_tuning(case, sluice, runs, log):
    """Tunes boosted_tree_regressor over 27 (max_tree_depth, learn_rate) pairs with grid search
    and with successive halving, both within Sluice."""
    depths = [2, 3, 4, 5, 6, 7, 8, 9, 10]
    rates = [0.1, 0.3, 0.5]
    out = []
    for algorithm in ["grid", "halving"]:
        name = f"tuned_{algorithm}"
        create = (f"CREATE OR REPLACE MODEL {name} OPTIONS (model_type = 'boosted_tree_regressor', "
                  f"input_label_cols = ['{case.label}'], data_split_method = 'random', "
                  f"data_split_eval_fraction = 0.2, early_stop = FALSE, max_iterations = {ROUNDS}, "
                  f"max_tree_depth = HPARAM_CANDIDATES({depths}), "
                  f"learn_rate = HPARAM_CANDIDATES({rates}), num_trials = 27, "
                  f"hparam_tuning_algorithm = '{algorithm}', seed = 0) "
                  f"AS SELECT * FROM '{case.train}'")
        out.append({"algorithm": algorithm, "create_sql": create, "train": [], "wall": []})
    for run in range(runs):
        for entry in out:
            time.sleep(REST)
            row, wall = sluice.sql(entry["create_sql"])
            entry["train"].append(float(row["training_seconds"][0]))
            entry["wall"].append(wall)
            log(f"  tuning {entry['algorithm']} run {run + 1}/{runs}: "
                f"{entry['train'][-1]:.2f} s")
    for entry in out:
        name = f"tuned_{entry['algorithm']}"
        trials, _ = sluice.sql(f"SELECT * FROM ML.TRIAL_INFO(MODEL {name})")
        best = trials[trials["is_optimal"].astype(str).str.lower() == "true"].iloc[0]
        full = trials[trials["budget"] >= 1]
        entry["trials"] = len(trials)
        entry["full_budget_trials"] = len(full)
        entry["budget_sum"] = float(trials["budget"].sum())
        entry["best_objective"] = float(best["objective"])
        entry["best_hparams"] = best["hyperparameters"]
        entry["trial_seconds_sum"] = float(trials["training_seconds"].sum())
        evaluate, _ = sluice.sql(
            f"SELECT * FROM ML.EVALUATE(MODEL {name}, (SELECT * FROM '{case.test}'))")
        entry["test_r2"] = float(evaluate["r2_score"][0])
        entry["train_rows"] = int(row["train_rows"][0])
        entry["eval_rows"] = int(row["eval_rows"][0])
    return out


# ---------------------------------------------------------------------------------------------
# Report.


def relative(a, b):
    if b == 0:
        return math.inf if a != 0 else 0.0
    return (a - b) / abs(b)


def fmt_value(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return str(v)
    return f"{v:.4g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.3e}"


def fmt_seconds(s):
    return f"{s:.4f}" if s < 0.1 else f"{s:.3f}"


def fmt_median_range(values):
    return f"{fmt_seconds(median(values))} ({fmt_seconds(min(values))}-{fmt_seconds(max(values))})"


def report(results, tuning, environment):
    lines = [
        "| case | model | peer | metric | Sluice | peer | rel. diff | Sluice train s | "
        "Sluice fit s | peer prep s | peer fit s | train / (prep+fit) | fit / fit |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        # Best of the runs: interference from other work on the machine only adds time.
        train, fit = min(r["sluice_train"]), min(r["sluice_fit"])
        prep, peer_fit = min(r["peer_prep"]), min(r["peer_fit"])
        for i, m in enumerate(r["metrics"]):
            diff = relative(m["sluice"], m["peer"])
            mark = f"**{diff:+.2%}**" if abs(diff) > 0.01 else f"{diff:+.2%}"
            times = ["", "", "", "", "", ""]
            if i == 0:
                times = [fmt_seconds(train), fmt_seconds(fit), fmt_seconds(prep),
                         fmt_seconds(peer_fit), f"{train / (prep + peer_fit):.2f}",
                         f"{fit / peer_fit:.2f}"]
            lines.append("| " + " | ".join(
                [r["case"] if i == 0 else "", r["sluice_model_type"] if i == 0 else "",
                 r["peer"] if i == 0 else "", m["metric"], fmt_value(m["sluice"]),
                 fmt_value(m["peer"]), mark] + times) + " |")
    lines += ["", "Times above: the best of the runs (interference only adds time). Checks "
              "(last run) and medians: Sluice's ML.EVALUATE against scikit-learn's metrics on "
              "Sluice's own ML.PREDICT output, and Sluice's test predictions against the peer's "
              "(regression: predicted values; classification: class probabilities).", "",
              "| case | model | features | train rows | ML.EVALUATE vs sklearn on ML.PREDICT "
              "(max rel.) | predictions mean abs diff | max abs diff | Sluice iterations | "
              "peer iterations | Sluice CREATE wall s (median) | Sluice train s, median "
              "(min-max) | peer prep+fit s, median (min-max) | median ratio |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        check = max(abs(relative(m["sluice"], m["sluice_rescored"])) for m in r["metrics"])
        peer_total = [a + b for a, b in zip(r["peer_prep"], r["peer_fit"])]
        peer_iterations = r.get("peer_iterations", "")
        if "peer_iterations" in r and not r.get("peer_converged", True):
            peer_iterations = f"{peer_iterations} (ConvergenceWarning)"
        lines.append(
            f"| {r['case']} | {r['sluice_model_type']} | {r['features']} | {r['train_rows']} | "
            f"{check:.1e} | {r['prediction_mean_abs_diff']:.3g} | "
            f"{r['prediction_max_abs_diff']:.3g} | {r['sluice_iterations']} | "
            f"{peer_iterations} | {fmt_seconds(median(r['sluice_wall']))} | "
            f"{fmt_median_range(r['sluice_train'])} | {fmt_median_range(peer_total)} | "
            f"{median(r['sluice_train']) / median(peer_total):.2f} |")
    if tuning:
        lines += ["", "Tuning (Sluice only): boosted_tree_regressor on synthetic_reg, "
                  "max_tree_depth HPARAM_CANDIDATES([2..10]) x learn_rate "
                  "HPARAM_CANDIDATES([0.1, 0.3, 0.5]), num_trials = 27, "
                  "data_split_method = 'random' (20% eval), early_stop = FALSE, 20 rounds.", "",
                  "| algorithm | trials | trials at full budget | budget (full fits) | "
                  "best eval r2 (objective) | best hyperparameters | test r2 of best | "
                  "training_seconds, best (each run) | CREATE wall s, best |",
                  "|---|---:|---:|---:|---:|---|---:|---:|---:|"]
        for t in tuning:
            lines.append(
                f"| {t['algorithm']} | {t['trials']} | {t['full_budget_trials']} | "
                f"{t['budget_sum']:.2f} | {t['best_objective']:.5f} | "
                f"`{t['best_hparams']}` | {t['test_r2']:.5f} | {min(t['train']):.2f} "
                f"({', '.join(f'{v:.1f}' for v in t['train'])}) | {min(t['wall']):.2f} |")
        grid, halving = tuning
        lines += ["", f"Halving / grid: best objective {relative(halving['best_objective'], grid['best_objective']):+.3%}, "
                  f"training_seconds (best of each) {min(halving['train']) / min(grid['train']):.2f}x."]
    lines += ["", environment]
    return "\n".join(lines)


def environment_line(runs, sluice_binary):
    blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('num_threads')} threads)"
            for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    return (f"Peers: scikit-learn {sklearn.__version__}, xgboost {xgboost.__version__}, "
            f"pandas {pd.__version__}, numpy {np.__version__}, BLAS {', '.join(blas) or '?'}; "
            f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}; "
            f"Sluice {sluice_binary}; {runs} timed runs per model.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sluice")
    parser.add_argument("--sluice-name", help="how the report names the binary")
    parser.add_argument("--data", help="node_modules/vega-datasets/data")
    parser.add_argument("--work", help="folder for the CSV files and workspace")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tune-runs", type=int, default=2)
    parser.add_argument("--rows", type=int, default=200_000, help="synthetic training rows")
    parser.add_argument("--cases", default="", help="comma-separated case names (default all)")
    parser.add_argument("--json", help="write the raw results here")
    parser.add_argument("--report", help="print the tables of a --json file again, and exit")
    args = parser.parse_args()
    if args.report:
        with open(args.report) as saved:
            data = json.load(saved)
        print(report(data["results"], data["tuning"], data.get("environment", "")))
        return
    if not (args.sluice and args.data and args.work):
        parser.error("--sluice, --data and --work are required")

    def log(message):
        print(message, file=sys.stderr, flush=True)

    # Imports above loaded numpy's BLAS; make its thread count explicit.
    threadpoolctl.threadpool_limits(THREADS)
    log(f"making the case files in {args.work}")
    cases = make_cases(args.data, args.work, args.rows)
    wanted = set(filter(None, args.cases.split(",")))
    sluice = Sluice(args.sluice, os.path.join(args.work, "ws"))
    results = []
    for case in cases:
        if wanted and case.name not in wanted:
            continue
        log(f"{case.name}: {case.source}")
        results += run_case(case, sluice, args.runs, log)
    tuning = []
    if args.tune_runs > 0 and (not wanted or "tuning" in wanted):
        tuning = run_tuning(next(c for c in cases if c.name == "synthetic_reg"), sluice,
                            args.tune_runs, log)
    environment = environment_line(args.runs, args.sluice_name or args.sluice)
    print(report(results, tuning, environment))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"results": results, "tuning": tuning, "environment": environment,
                       "cases": [c.__dict__ for c in cases]}, out, indent=1, default=str)


if __name__ == "__main__":
    main()

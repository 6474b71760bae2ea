#!/usr/bin/env python3
"""Writes reference.tsv: identity numbers and 统一社会信用代码 with the verdicts of two
independent validators, python-stdnum (cn.ric, cn.uscc) and id-validator, for
tests/reference.rs to compare ours against. CI never runs this; the output is committed.

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install python-stdnum==2.2 id-validator==1.0.20
    /tmp/ref/bin/python gen-reference.py > reference.tsv

The numbers are drawn with a fixed seed: real address codes (current and abolished ones from
id-validator's table) and made-up ones, birth dates from 1890 to 2030 (some not real, some after
the day of generation), right and wrong check characters.
"""
import datetime
import random
import sys

import stdnum
import id_validator
from id_validator import data as idv_data
from id_validator import validator as idv
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

SEED = 20261206
TODAY = datetime.date.today()
N_IDS = 4000
N_USCC = 2000
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def verdict(module, number):
    try:
        module.validate(number)
        return "ok"
    except ValidationError as e:
        return type(e).__name__
    except Exception as e:  # stdnum 2.2's cn.ric raises KeyError for a province- or city-level code
        return f"crash:{type(e).__name__}"


def ric_check(body):
    return ric.calc_check_digit(body + "0")


def main():
    rnd = random.Random(SEED)
    codes = sorted(idv_data.get_address_code().keys())
    # Codes that were once assigned and are no longer (abolished or renamed counties).
    abolished = sorted(set(idv_data.get_address_code_timeline().keys()) - set(codes))
    out = sys.stdout
    out.write(f"# generated {TODAY.isoformat()} by gen-reference.py (seed {SEED}) with python-stdnum "
              f"{stdnum.__version__} and id-validator\n")
    out.write("# kind\tnumber\tstdnum\tid_validator\n")
    for _ in range(N_IDS):
        r = rnd.random()
        if r < 0.6:
            code = rnd.choice(codes)
        elif r < 0.75:
            code = rnd.choice(abolished)
        elif r < 0.9:
            code = f"{rnd.choice([11, 32, 41, 44, 65])}{rnd.randint(0, 9999):04d}"
        else:
            code = f"{rnd.randint(0, 99):02d}{rnd.randint(0, 9999):04d}"
        r = rnd.random()
        if r < 0.8:
            y = rnd.randint(1890, 2030)
            m = rnd.randint(1, 12)
            d = rnd.randint(1, 31)
        elif r < 0.9:
            # Near the day of generation, on both sides.
            day = TODAY + datetime.timedelta(days=rnd.randint(-40, 40))
            y, m, d = day.year, day.month, day.day
        else:
            y, m, d = rnd.randint(1890, 2030), rnd.randint(0, 13), rnd.randint(0, 32)
        body = f"{code}{y:04d}{m:02d}{d:02d}{rnd.randint(0, 999):03d}"
        check = ric_check(body)
        if rnd.random() < 0.2:
            check = rnd.choice([c for c in "0123456789X" if c != check])
        n = body + check
        out.write(f"id\t{n}\t{verdict(ric, n)}\t{'ok' if idv.is_valid(n) else 'invalid'}\n")
    for _ in range(N_USCC):
        first = rnd.choice("123456789ANY" * 3 + ALPHABET)
        second = rnd.choice("1239" * 3 + ALPHABET)
        region = f"{rnd.randint(110000, 659999):06d}"
        if rnd.random() < 0.05:
            region = region[:5] + rnd.choice(ALPHABET[10:])
        org = "".join(rnd.choice(ALPHABET) for _ in range(9))
        body = first + second + region + org
        check = uscc.calc_check_digit(body)
        if rnd.random() < 0.2:
            check = rnd.choice([c for c in ALPHABET if c != check])
        n = body + check
        out.write(f"uscc\t{n}\t{verdict(uscc, n)}\t-\n")


if __name__ == "__main__":
    main()

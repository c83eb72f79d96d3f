"""Transformationen (die Session kommt vom Aufrufer) – Größen unbekannt."""
from pyspark.sql import functions as F


def anreichern(umsätze, filialen, regionen):
    mit_filialen = umsätze.join(F.broadcast(filialen), "filial_id")
    return mit_filialen.join(F.broadcast(regionen), "region_id")

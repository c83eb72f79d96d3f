"""Agrégats par client (la session est créée par l'appelant)."""


def agrégats(commandes, retours):
    par_client = commandes.groupBy("client_id").count()
    retours_par_client = retours.groupBy("client_id").count()
    return par_client.join(retours_par_client, "client_id")

"""Function words, left out of the `word` facet and never shown as the reason of a label: the
common ones of French, English, Spanish, German, Italian, Portuguese and Dutch, applied whatever
a post's language (a language label can be wrong, and many posts mix languages), plus the noise
of social text (`rt`, `amp`, `http`).

Lower-cased and with their accents, as the facet keeps them. Words under three characters are
dropped anyway (by the facet and by the explanations), so the lists do not bother with them.
Here in nlp/, the lowest layer that reads them, so that both the store and the models can.
"""

from __future__ import annotations

_FR = """
alors après assez au aucun aucune aujourd auprès aussi autre autres aux avaient avais avait
avant avec avez aviez avions avoir avons ayant bah ben bien bon car ce ceci cela celle celles
celui cependant certain certaine certains ces cet cette ceux chaque chez comme comment dans
des depuis donc dont du elle elles en encore entre est et étaient étais était étant été êtes
étiez étions être eu eux faire fait fais faut fois font hors ici il ils je jusqu jusque juste
la là le les leur leurs lors lorsque lui mais malgré me même mêmes mes moi moins mon ne ni
non nos notre nous on ont ou où par parce pas peu peut peuvent peux plus pour pourquoi quand
que quel quelle quelles quels qui quoi sa sans se selon ses seulement si sien soi soient sois
soit sommes son sont sous suis sur ta tant te tes toi ton tous tout toute toutes très tu un
une vais va vers voici voilà vont vos votre vous vraiment déjà rien ceux-ci sera serait ferait
avait aura aurait fut était ainsi alors voila quoi dois doit ça cet cela ceci tel telle
"""

_EN = """
about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don done
down during each even ever every few for from further get gets getting got had hadn has hasn
have haven having he her here hers herself him himself his how however into is isn it its
itself just let like made make many may me might more most much must my myself never no nor
not now of off often on once one only or other others our ours ourselves out over own per
quite rather really said same say says see she should shouldn since so some still such than
that the their theirs them themselves then there these they this those though through thus
to too under until up upon us very via was wasn way we well were weren what when where which
while who whom whose why will with within without won would wouldn yes yet you your yours
yourself yourselves ill ive im youre theyre thats dont cant wont didnt doesnt isnt
"""

_ES = """
algo algunas algunos ante antes aquel aquella aquellas aquellos aquí así aun aún cada casi
como con contra cual cuales cuando cuánto de del desde donde dos durante el él ella ellas
ellos en entre era erais eran eras eres es esa esas ese eso esos esta está estaba estaban
estado estáis estamos están estar estas este esto estos estoy fue fueron fui fuimos había
habían hace hacen hacer hacia han has hasta hay haya he hemos la las le les lo los más mas
me mi mis mismo mucho muchos muy nada ni no nos nosotros nuestra nuestro nuestros otra otras
otro otros para pero poco por porque pues que qué quien quién quienes se sea sean según ser
sería si sí sido siempre sin sino sobre sois solo sólo somos son soy su sus también tan tanto
te tendrá tener tengo ti tiene tienen todo todos tu tú tus un una unas uno unos usted ustedes
vosotros vuestra vuestro yo ahora bien cosa donde están sus
"""

_DE = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes
auch auf aus bei bin bis bist da damit dann das dass daß dein deine dem den denn der des dessen
deshalb die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen
einer eines einige einmal er es etwas euch euer eure für gegen gewesen hab habe haben hat
hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem
ins ist jede jedem jeden jeder jedes jetzt kann kein keine keinem keinen keiner können könnte
machen man manche mehr mein meine meinem meinen meiner mich mir mit muss musste nach nicht
nichts noch nun nur ob oder ohne schon sehr sein seine seinem seinen seiner seit sich sie
sind so solche soll sollte sondern sonst über um und uns unser unsere unter viel vom von vor
war waren warst was weil weiter welche welchem welchen welcher wenn wer werde werden wie
wieder will wir wird wirst wo wollen wurde würde zu zum zur zwar zwischen ganz gibt immer
"""

_IT = """
abbiamo adesso agli alla alle allo anche ancora avere aveva avevano che chi come con contro
cosa così cui dagli dai dal dall dalla dalle dallo degli dei del dell della delle dello dentro
dopo dove ecco era erano essere fare fino fra gli già hai hanno il io loro lui lei mai meno
mentre mia mie miei mio molto nei nel nell nella nelle nello noi non nostra nostre nostri
nostro ogni oggi oltre perché però più poco poi potrebbe prima proprio quale quali qualche
quando quanto quella quelle quelli quello questa queste questi questo qui sarà sei senza
sempre sia siamo siete solo sono sotto stata stato sua sue sui sul sull sulla sulle suo suoi
tra tutta tutte tutti tutto una uno vostra vostro essere hanno fatto
"""

_PT = """
agora ainda além algo algum alguma algumas alguns ali ano antes aos apenas aqui aquela aquelas
aquele aqueles aquilo até bem cada com como contra da das depois desde do dos ela elas ele eles
em entre era eram essa essas esse esses esta está estão estas estava este estes estou eu foi
foram há isso isto já lhe lhes mais mas mesmo meu meus minha minhas muito muitos na nas nem
nós nossa nossas nosso nossos num numa não nos onde ou para pela pelas pelo pelos pode porque
por pouco quando quanto que quem são se seja sem ser será seu seus sido só sobre sua suas
também tem têm tenho ter teu teus tinha toda todas todo todos tua tuas tudo um uma umas uns
você vocês vai vão lá
"""

_NL = """
aan al alles als altijd ander andere bij ben bent dan dat de der deze die dit doch doen door
dus een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand
iets ik in is ja je jij jou jouw kan kon kunnen maar me meer men met mij mijn moet na naar
niet niets nog nu of om omdat onder ons onze ook op over reeds te tegen toch toen tot u uit
uw van veel voor want waren was wat we wel werd wie wij wil worden wordt zal ze zei zelf zich
zij zijn zo zonder zou
"""

_NOISE = "amp http https rt www com via"

STOPWORDS: frozenset[str] = frozenset(" ".join((_FR, _EN, _ES, _DE, _IT, _PT, _NL, _NOISE)).split())
